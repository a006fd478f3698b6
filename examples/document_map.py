"""The Brown corpus by genre: LSA document vectors projected to 2-D, coloured by genre.

The picture of Deerwester et al. / Landauer & Dumais: fit :class:`wordspace.LSA` on the 500
Brown texts (tf-idf, English stopwords left out), take each text's vector in the k-dimensional
latent space, and draw the texts by PCA (and t-SNE) coloured by their genre.  Texts of the same
broad kind -- fiction, press, learned writing -- gather in the same region.  It also prints the
strongest words of the first components and how often a text's nearest neighbour (by cosine in
the latent space) has the same genre.  Last, it trains the same model by gradient descent
(:class:`wordspace.LinearAutoencoder`, 20 dimensions) and draws its loss per epoch against the
floor that the SVD reaches (Eckart-Young).

Run from the repository root (well under a minute)::

    python examples/document_map.py   # -> examples/out/document_map_{pca,broad,tsne}.png,
                                      #    autoencoder_loss.png
"""

from __future__ import annotations

import argparse
import logging
import time
from collections import Counter
from pathlib import Path

import numpy as np

from wordspace.datasets import brown
from wordspace.models.autoencoder import LinearAutoencoder
from wordspace.models.lsa import LSA
from wordspace.plot import document_map, loss_curve, svd_optimum

# Brown's 15 genres in 4 broad groups (Francis & Kucera's informative / imaginative prose)
BROAD = {"news": "press", "editorial": "press", "reviews": "press",
         "religion": "general prose", "hobbies": "general prose", "lore": "general prose",
         "belles_lettres": "general prose", "government": "learned & official",
         "learned": "learned & official", "fiction": "fiction", "mystery": "fiction",
         "science_fiction": "fiction", "adventure": "fiction", "romance": "fiction",
         "humor": "fiction"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=Path(__file__).parent / "out", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args.out.mkdir(parents=True, exist_ok=True)

    collection = brown()
    start = time.perf_counter()
    model = LSA(n_components=args.dim, seed=args.seed).fit(collection.texts)
    vectors = np.asarray(model.document_vectors_, dtype=np.float64)
    print(f"LSA on Brown: {vectors.shape[0]} texts x {vectors.shape[1]} dimensions, "
          f"{len(model.vocabulary_):,} tokens, {time.perf_counter() - start:.1f} s")
    for number, topic in enumerate(model.topics(topn=8)[:3]):
        print(f"  component {number + 1}: " + " ".join(token for token, _ in topic))

    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    similarity = unit @ unit.T
    np.fill_diagonal(similarity, -np.inf)
    nearest = similarity.argmax(axis=1)
    labels = np.array(collection.labels)
    broad = np.array([BROAD[label] for label in labels])
    same = (labels[nearest] == labels).mean()
    same_broad = (broad[nearest] == broad).mean()
    chance = sum((n / len(labels)) ** 2 for n in Counter(collection.labels).values())
    print(f"nearest neighbour has the same genre: {same:.1%} (chance {chance:.1%}); "
          f"the same broad group: {same_broad:.1%}")

    title = f"Brown corpus: LSA ({args.dim} dims) document vectors"
    document_map(vectors, collection.labels, title=f"{title}, PCA, by genre",
                 path=args.out / "document_map_pca.png")
    document_map(vectors, broad, title=f"{title}, PCA, by broad group",
                 path=args.out / "document_map_broad.png")
    document_map(vectors, collection.labels, method="tsne", seed=args.seed,
                 title=f"{title}, t-SNE, by genre", path=args.out / "document_map_tsne.png")

    autoencoder = LinearAutoencoder(n_components=20, epochs=30, seed=args.seed)
    autoencoder.fit(collection.texts)
    bags = autoencoder.bow_.transform(collection.texts)
    optimum = svd_optimum(bags, 20, center=autoencoder.center)
    print(f"linear autoencoder, 20 dims, 30 epochs: loss {autoencoder.loss_history_[0]:.4f} -> "
          f"{autoencoder.loss_history_[-1]:.4f}; SVD optimum {optimum:.4f}")
    loss_curve(autoencoder, optimum=optimum, path=args.out / "autoencoder_loss.png",
               title="Brown: linear autoencoder (Adam) vs the SVD optimum, k = 20")


if __name__ == "__main__":
    main()
