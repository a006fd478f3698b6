"""A linear autoencoder trained by gradient descent arrives where the SVD is (Brown corpus).

Trains LSA (the truncated SVD: the optimum, by linear algebra) and the same model by gradient
descent -- Adam and heavy-ball momentum -- on the same tf-idf bags of the 500 Brown texts, then
draws the loss per epoch approaching the SVD's error (a horizontal line), and prints the principal
angles between the learned plane and the SVD's.

Run:  python examples/autoencoder_vs_svd.py [--dim 50] [--out autoencoder_vs_svd.png]
"""

from __future__ import annotations

import argparse
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from wordspace import LSA, LinearAutoencoder  # noqa: E402
from wordspace.datasets import brown  # noqa: E402
from wordspace.models.autoencoder import relative_excess_error, subspace_angles  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dim", type=int, default=50, help="hidden units k")
    parser.add_argument("--out", default="autoencoder_vs_svd.png", help="picture to write")
    args = parser.parse_args()
    k = args.dim

    texts = brown().texts
    start = time.perf_counter()
    svd = LSA(k, n_iter=20).fit(texts)          # many power iterations: the optimum, closely
    print(f"SVD (LSA) in {time.perf_counter() - start:.1f} s")
    bags = svd.bags(texts)
    n = bags.shape[0]
    # the exact optimum, to check LSA's randomized SVD too: with only 500 texts the n x n Gram
    # matrix X X^T gives every singular value and vector exactly
    dense = bags.toarray().astype(np.float64)
    eigenvalues, eigenvectors = np.linalg.eigh(dense @ dense.T)
    top = np.argsort(eigenvalues)[::-1][:k]
    exact_basis = (eigenvectors[:, top].T @ dense).T / np.sqrt(eigenvalues[top])    # d x k
    optimum = float((dense ** 2).sum() - eigenvalues[top].sum())
    del dense
    print(f"bags: {n} texts x {bags.shape[1]} tokens; exact SVD error {optimum:.4f} "
          f"({optimum / n:.5f} per text), energy kept {svd.explained_energy_:.1%}; "
          f"singular values k, k+1: {np.sqrt(np.sort(eigenvalues)[::-1][k - 1:k + 1]).round(4)}")
    print(f"     LSA: error {relative_excess_error(svd, optimum, bags):+.3%} vs exact; angles "
          f"to exact: largest {subspace_angles(svd.components_.T, exact_basis).max():.2f} deg")

    runs = {}
    for optimizer in ("adam", "momentum"):
        model = LinearAutoencoder(k, optimizer=optimizer, seed=0).fit(bags)
        angles = subspace_angles(model.components_.T, exact_basis)
        excess = relative_excess_error(model, optimum, bags)
        runs[optimizer] = model
        print(f"{optimizer:>8}: {model.n_epochs_} epochs in {model.training_time_:.1f} s, error "
              f"{excess:+.3%} vs SVD; principal angles (deg): median {np.median(angles):.2f}, "
              f"{(angles < 5).sum()}/{k} below 5, largest {angles.max():.1f}")
        print("          angles, largest first:", np.round(angles.astype(float), 1).tolist())

    figure, (curve, excess_axis) = plt.subplots(1, 2, figsize=(11, 4.2))
    for optimizer, model in runs.items():
        epochs = np.arange(len(model.loss_history_))
        curve.plot(epochs, model.loss_history_, label=f"autoencoder, {optimizer}")
        excess_axis.semilogy(epochs, model.loss_history_ / (optimum / n) - 1.0, label=optimizer)
    curve.axhline(optimum / n, color="black", linestyle="--", label="SVD optimum")
    curve.set_ylim(top=1.3 * max(m.loss_history_[0] for m in runs.values()) - 0.3 * optimum / n)
    curve.set_xlabel("epoch")
    curve.set_ylabel("mean squared reconstruction error per text")
    curve.set_title(f"Brown, tf-idf bags, k = {k}")
    curve.legend()
    excess_axis.axhline(0.01, color="grey", linestyle=":", label="1 % above the optimum")
    excess_axis.set_xlabel("epoch")
    excess_axis.set_ylabel("relative excess error over the SVD")
    excess_axis.set_title("gap to the optimum (log scale)")
    excess_axis.legend()
    figure.tight_layout()
    figure.savefig(args.out, dpi=120)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
