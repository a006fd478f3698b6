// wordspace explorer: a WebGL scatter of the points a wordspace server sends, written for this
// package (no library, nothing fetched from the internet).  Points come as raw float32 arrays;
// they are drawn with gl.POINTS in one draw call, highlighted points in a second small one on
// top; hover and click pick the nearest point on the CPU (one pass over the typed arrays, a few
// milliseconds at a million points).  The page state lives in the URL's hash.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1",
    "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#c7c7c7"];
  const NO_COLOUR = "#5b6b8c";
  const FOCUS = [0.05, 0.05, 0.05], NEIGHBOUR = [0.86, 0.08, 0.24], MATCH = [1.0, 0.55, 0.0];
  const MAX_MARKED = 2000;   // highlighted points drawn big, at most
  const MAX_LABELS = 60;     // text labels drawn, at most
  const DEFAULTS = { method: "pca", dims: 2, limit: "", q: "", regex: 0, word: "", metric: "cosine",
    topn: 20, color: "frequency", x: "", y: "", z: "", isolate: 0, a: "", b: "", c: "" };
  const state = Object.assign({}, DEFAULTS);
  const probe = window.__explorer = { firstPaint: null, ready: false, pickMs: null, searchMs: null,
    drawMs: null, loads: 0 };
  let info = null;
  const views = [];
  let highlight = { focus: -1, neighbours: [], matches: [], perView: {} };
  const hiddenGroups = new Set();

  // ------------------------------------------------------------------------- URL state ------
  function readHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    for (const key of Object.keys(DEFAULTS)) {
      if (!params.has(key)) continue;
      const value = params.get(key);
      state[key] = typeof DEFAULTS[key] === "number" ? (parseInt(value, 10) || DEFAULTS[key]) : value;
    }
  }
  function writeHash() {
    const params = new URLSearchParams();
    for (const key of Object.keys(DEFAULTS)) {
      if (String(state[key]) !== String(DEFAULTS[key])) params.set(key, state[key]);
    }
    history.replaceState(null, "", "#" + params.toString());
  }

  // --------------------------------------------------------------------------- helpers ------
  function status(text, isError) {
    const el = $("status");
    el.textContent = text || "";
    el.className = isError ? "error" : "";
  }
  async function api(path, params, kind) {
    const query = new URLSearchParams(params).toString();
    const response = await fetch(`api/${path}?${query}`);
    if (response.status >= 400) {
      let body = { error: response.statusText };
      try { body = await response.json(); } catch (e) { /* not JSON */ }
      const error = new Error(body.error || response.statusText);
      error.status = response.status;
      error.suggestions = body.suggestions || [];
      throw error;
    }
    if (response.status === 202) return { pending: await response.json() };
    if (kind === "f32") return { data: new Float32Array(await response.arrayBuffer()),
      points: +response.headers.get("X-Points"), dims: +response.headers.get("X-Dims") };
    if (kind === "u8") return new Uint8Array(await response.arrayBuffer());
    if (kind === "text") return response.text();
    return response.json();
  }
  function hexToRgb(hex) {
    const v = parseInt(hex.slice(1), 16);
    return [(v >> 16 & 255) / 255, (v >> 8 & 255) / 255, (v & 255) / 255];
  }
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.assign(node, attrs || {});
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // -------------------------------------------------------------------------- WebGL -------
  const POINT_VS = `
    attribute vec3 a_pos; attribute float a_group; attribute float a_hidden;
    uniform mat4 u_m; uniform float u_size; uniform float u_alpha; uniform vec3 u_palette[21];
    varying vec4 v_color;
    void main() {
      if (a_hidden > 0.5) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); gl_PointSize = 0.0;
        v_color = vec4(0.0); return; }
      gl_Position = u_m * vec4(a_pos, 1.0);
      gl_PointSize = u_size;
      int g = int(min(a_group, 20.0) + 0.5);
      v_color = vec4(u_palette[g], u_alpha);
    }`;
  const POINT_FS = `
    precision mediump float; varying vec4 v_color;
    void main() { vec2 d = gl_PointCoord - 0.5; if (dot(d, d) > 0.25) discard;
      gl_FragColor = v_color; }`;
  const MARK_VS = `
    attribute vec3 a_pos; attribute vec3 a_color; attribute float a_size;
    uniform mat4 u_m; varying vec3 v_color;
    void main() { gl_Position = u_m * vec4(a_pos, 1.0); gl_Position.z = -0.99;
      gl_PointSize = a_size; v_color = a_color; }`;
  const MARK_FS = `
    precision mediump float; varying vec3 v_color;
    void main() { vec2 d = gl_PointCoord - 0.5; float r = dot(d, d); if (r > 0.25) discard;
      gl_FragColor = vec4(r > 0.13 ? vec3(1.0) : v_color, 1.0); }`;

  function compile(gl, vs, fs) {
    const program = gl.createProgram();
    for (const [type, source] of [[gl.VERTEX_SHADER, vs], [gl.FRAGMENT_SHADER, fs]]) {
      const shader = gl.createShader(type);
      gl.shaderSource(shader, source);
      gl.compileShader(shader);
      if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(shader));
      gl.attachShader(program, shader);
    }
    gl.linkProgram(program);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(program));
    return program;
  }

  class View {
    constructor(index, model) {
      this.index = index;
      this.model = model;
      const node = $("plot-template").content.firstElementChild.cloneNode(true);
      node.dataset.model = index;
      $("plots").appendChild(node);
      this.node = node;
      node.querySelector(".plot-title").textContent = model.name;
      this.canvas = node.querySelector("canvas.gl");
      this.overlay = node.querySelector("canvas.labels");
      this.tooltip = node.querySelector(".tooltip");
      const options = { antialias: false, preserveDrawingBuffer: true, alpha: false };
      const gl = this.canvas.getContext("webgl2", options) || this.canvas.getContext("webgl", options);
      if (!gl) throw new Error("this browser has no WebGL");
      this.gl = gl;
      this.points = compile(gl, POINT_VS, POINT_FS);
      this.marks = compile(gl, MARK_VS, MARK_FS);
      this.buffers = { pos: gl.createBuffer(), group: gl.createBuffer(), hidden: gl.createBuffer(),
        marks: gl.createBuffer() };
      this.tokens = null;
      this.n = 0; this.dims = 2; this.coords = new Float32Array(0); this.raw = null;
      this.groups = null; this.legend = null; this.hidden = new Uint8Array(0);
      this.markCount = 0; this.markRows = [];
      this.camera = { zoom: 1, panX: 0, panY: 0, yaw: 0.6, pitch: 0.35 };
      this.centre = [0, 0, 0]; this.extent = 1;
      this.hover = -1;
      this.isolated = null;     // Set of rows shown while isolating, or null
      this.pending = false;
      new ResizeObserver(() => this.resize()).observe(node);
      this.bindMouse();
      this.resize();
    }

    resize() {
      const ratio = window.devicePixelRatio || 1;
      const width = Math.max(1, Math.round(this.node.clientWidth * ratio));
      const height = Math.max(1, Math.round(this.node.clientHeight * ratio));
      for (const canvas of [this.canvas, this.overlay]) { canvas.width = width; canvas.height = height; }
      this.draw();
    }

    setCoordinates(data, points, dims, keepCamera) {
      this.n = points; this.dims = dims; this.raw = data;
      const coords = new Float32Array(points * 3);
      const low = [Infinity, Infinity, Infinity], high = [-Infinity, -Infinity, -Infinity];
      for (let i = 0; i < points; i++) {
        for (let d = 0; d < 3; d++) {
          const v = d < dims ? data[i * dims + d] : 0;
          coords[i * 3 + d] = v;
          if (v < low[d]) low[d] = v;
          if (v > high[d]) high[d] = v;
        }
      }
      this.coords = coords;
      this.centre = [0, 1, 2].map((d) => points ? (low[d] + high[d]) / 2 : 0);
      this.extent = Math.max(1e-12, ...[0, 1, 2].map((d) => points ? (high[d] - low[d]) / 2 : 0)) * 1.05;
      const gl = this.gl;
      gl.bindBuffer(gl.ARRAY_BUFFER, this.buffers.pos);
      gl.bufferData(gl.ARRAY_BUFFER, coords, gl.STATIC_DRAW);
      if (!keepCamera) this.resetCamera();
      this.updateHidden();
      this.updateMarks();
    }

    setGroups(groups, legend) {
      this.groups = groups; this.legend = legend;
      const gl = this.gl;
      gl.bindBuffer(gl.ARRAY_BUFFER, this.buffers.group);
      gl.bufferData(gl.ARRAY_BUFFER, groups, gl.STATIC_DRAW);
      this.updateHidden();
    }

    isShown(row) {
      if (row >= this.n) return false;
      if (this.isolated && !this.isolated.has(row)) return false;
      if (hiddenGroups.size && this.groups && this.index === 0 && hiddenGroups.has(this.groups[row])) return false;
      return true;
    }

    updateHidden() {
      const n = this.n;
      if (this.hidden.length !== n) this.hidden = new Uint8Array(n);
      const hidden = this.hidden;
      if (!this.isolated && !(hiddenGroups.size && this.index === 0)) hidden.fill(0);
      else for (let i = 0; i < n; i++) hidden[i] = this.isShown(i) ? 0 : 1;
      const gl = this.gl;
      gl.bindBuffer(gl.ARRAY_BUFFER, this.buffers.hidden);
      gl.bufferData(gl.ARRAY_BUFFER, hidden, gl.DYNAMIC_DRAW);
      this.draw();
    }

    rowsOf(words) {
      if (!this.tokenIndex) return [];
      return words.map((w) => this.tokenIndex.get(w)).filter((r) => r !== undefined);
    }

    updateMarks() {
      // highlighted points: search matches, neighbours, the focus word (drawn last, on top)
      const marks = [];
      const own = this.highlightRows();
      for (const row of own.matches.slice(0, MAX_MARKED)) marks.push([row, MATCH, 7]);
      for (const row of own.neighbours) marks.push([row, NEIGHBOUR, 9]);
      if (own.focus >= 0) marks.push([own.focus, FOCUS, 12]);
      const ratio = window.devicePixelRatio || 1;
      const shown = marks.filter(([row]) => this.isShown(row));
      const data = new Float32Array(shown.length * 7);
      shown.forEach(([row, colour, size], k) => {
        data.set([this.coords[row * 3], this.coords[row * 3 + 1], this.coords[row * 3 + 2],
          colour[0], colour[1], colour[2], size * ratio], k * 7);
      });
      this.markCount = shown.length;
      this.markRows = shown.map(([row]) => row);
      const gl = this.gl;
      gl.bindBuffer(gl.ARRAY_BUFFER, this.buffers.marks);
      gl.bufferData(gl.ARRAY_BUFFER, data, gl.DYNAMIC_DRAW);
      this.draw();
    }

    highlightRows() {
      // rows of the highlighted words in this view (the server answers rows of model 0 for
      // model 0's lists; other views map the words through their own token index)
      const own = this.index === 0 ? highlight : (highlight.perView || {})[this.index];
      return own || { focus: -1, neighbours: [], matches: [] };
    }

    resetCamera() {
      Object.assign(this.camera, { zoom: 1, panX: 0, panY: 0, yaw: 0.6, pitch: 0.35 });
      this.draw();
    }

    // affine map from data coordinates to clip space, as three rows of four numbers
    transform() {
      const { zoom, panX, panY, yaw, pitch } = this.camera;
      const w = this.canvas.width, h = this.canvas.height;
      const ax = w > h ? h / w : 1, ay = h > w ? w / h : 1;
      let R = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
      if (this.dims === 3) {
        const cy = Math.cos(yaw), sy = Math.sin(yaw), cp = Math.cos(pitch), sp = Math.sin(pitch);
        // rotate about y (yaw), then about x (pitch)
        R = [[cy, 0, sy], [sp * sy, cp, -sp * cy], [-cp * sy, sp, cp * cy]];
      }
      const s = 1 / this.extent, c = this.centre;
      const row = (r, scale, shift) => {
        const k = R[r].map((v) => v * s * scale);
        return [k[0], k[1], k[2], shift - (k[0] * c[0] + k[1] * c[1] + k[2] * c[2])];
      };
      return [row(0, zoom * ax, panX), row(1, zoom * ay, panY), row(2, 0.3, 0)];
    }

    matrix(T) {
      return new Float32Array([T[0][0], T[1][0], T[2][0], 0, T[0][1], T[1][1], T[2][1], 0,
        T[0][2], T[1][2], T[2][2], 0, T[0][3], T[1][3], T[2][3], 1]);
    }

    draw() {
      if (this.pending) return;
      this.pending = true;
      requestAnimationFrame(() => { this.pending = false; this.render(); });
    }

    render() {
      const started = performance.now();
      const gl = this.gl;
      gl.viewport(0, 0, this.canvas.width, this.canvas.height);
      gl.clearColor(1, 1, 1, 1);
      gl.clear(gl.COLOR_BUFFER_BIT);
      if (!this.n) { this.drawLabels(); return; }
      const T = this.transform(), M = this.matrix(T);
      gl.enable(gl.BLEND);
      gl.blendFuncSeparate(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA, gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
      // all points
      let p = this.points;
      gl.useProgram(p);
      const ratio = window.devicePixelRatio || 1;
      const size = (this.n > 300000 ? 1.6 : this.n > 30000 ? 2.4 : this.n > 3000 ? 3.5 : 5) * ratio;
      gl.uniformMatrix4fv(gl.getUniformLocation(p, "u_m"), false, M);
      gl.uniform1f(gl.getUniformLocation(p, "u_size"), size * Math.min(1.6, Math.sqrt(this.camera.zoom)));
      gl.uniform1f(gl.getUniformLocation(p, "u_alpha"), this.n > 30000 ? 0.55 : 0.8);
      const colours = this.legend ? PALETTE.slice(0, 21) : Array(21).fill(NO_COLOUR);
      gl.uniform3fv(gl.getUniformLocation(p, "u_palette"), new Float32Array(colours.flatMap(hexToRgb)));
      this.attribute(p, "a_pos", this.buffers.pos, 3, gl.FLOAT);
      if (this.groups) this.attribute(p, "a_group", this.buffers.group, 1, gl.UNSIGNED_BYTE);
      else { gl.disableVertexAttribArray(gl.getAttribLocation(p, "a_group"));
        gl.vertexAttrib1f(gl.getAttribLocation(p, "a_group"), 0); }
      this.attribute(p, "a_hidden", this.buffers.hidden, 1, gl.UNSIGNED_BYTE);
      gl.drawArrays(gl.POINTS, 0, this.n);
      for (const name of ["a_pos", "a_group", "a_hidden"]) gl.disableVertexAttribArray(gl.getAttribLocation(p, name));
      // highlighted points on top
      if (this.markCount) {
        p = this.marks;
        gl.useProgram(p);
        gl.uniformMatrix4fv(gl.getUniformLocation(p, "u_m"), false, M);
        gl.bindBuffer(gl.ARRAY_BUFFER, this.buffers.marks);
        const stride = 28;
        for (const [name, count, offset] of [["a_pos", 3, 0], ["a_color", 3, 12], ["a_size", 1, 24]]) {
          const loc = gl.getAttribLocation(p, name);
          gl.enableVertexAttribArray(loc);
          gl.vertexAttribPointer(loc, count, gl.FLOAT, false, stride, offset);
        }
        gl.drawArrays(gl.POINTS, 0, this.markCount);
        for (const name of ["a_pos", "a_color", "a_size"]) gl.disableVertexAttribArray(gl.getAttribLocation(p, name));
      }
      this.drawLabels(T);
      probe.drawMs = performance.now() - started;
      if (this.index === 0 && probe.firstPaint === null) {
        gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));  // wait for the GPU
        probe.firstPaint = performance.now();
      }
    }

    attribute(program, name, buffer, size, type) {
      const gl = this.gl, loc = gl.getAttribLocation(program, name);
      gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
      gl.enableVertexAttribArray(loc);
      gl.vertexAttribPointer(loc, size, type, false, 0, 0);
    }

    // CSS pixels of a row in the canvas, from the transform T
    toScreen(T, row) {
      const x = this.coords[row * 3], y = this.coords[row * 3 + 1], z = this.coords[row * 3 + 2];
      const X = T[0][0] * x + T[0][1] * y + T[0][2] * z + T[0][3];
      const Y = T[1][0] * x + T[1][1] * y + T[1][2] * z + T[1][3];
      return [(X + 1) / 2 * this.node.clientWidth, (1 - Y) / 2 * this.node.clientHeight];
    }

    drawLabels(T) {
      const ctx = this.overlay.getContext("2d");
      const ratio = window.devicePixelRatio || 1;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, this.overlay.width, this.overlay.height);
      if (!T || !this.tokens) return;
      ctx.font = "12px system-ui, sans-serif";
      ctx.lineWidth = 3;
      ctx.strokeStyle = "rgba(255,255,255,0.9)";
      const labelled = [];
      const own = this.highlightRows();
      if (own.focus >= 0) labelled.push([own.focus, "#000", "bold 13px system-ui, sans-serif"]);
      for (const row of own.neighbours) labelled.push([row, "#a0102a", "12px system-ui, sans-serif"]);
      for (const row of own.matches.slice(0, MAX_LABELS)) labelled.push([row, "#a05000", "12px system-ui, sans-serif"]);
      const seen = new Set(), taken = [];
      for (const [row, colour, font] of labelled.slice(0, MAX_LABELS + 1)) {
        if (!this.isShown(row) || seen.has(row)) continue;
        seen.add(row);
        const [x, y] = this.toScreen(T, row);
        ctx.font = font;
        // right of the point, above or below it, else left of it; a label that would overlap
        // one already written in all four places is left out (the focus word goes first)
        const width = ctx.measureText(this.tokens[row]).width;
        let placed = null;
        for (const [dx, dy] of [[6, -4], [6, 13], [-8 - width, -4], [-8 - width, 13]]) {
          const box = [x + dx - 1, y + dy - 12, x + dx + width + 1, y + dy + 3];
          if (!taken.some((b) => box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3])) {
            placed = [dx, dy]; taken.push(box); break;
          }
        }
        if (!placed) continue;
        ctx.strokeText(this.tokens[row], x + placed[0], y + placed[1]);
        ctx.fillStyle = colour;
        ctx.fillText(this.tokens[row], x + placed[0], y + placed[1]);
      }
    }

    // the nearest shown point within a few pixels of (x, y) in CSS pixels, or -1
    pick(x, y) {
      const started = performance.now();
      const T = this.transform();
      const w = this.node.clientWidth, h = this.node.clientHeight;
      // clip-space position of the cursor and the radius, as in toScreen
      const cx = x / w * 2 - 1, cy = 1 - y / h * 2;
      const rx = 8 / w * 2, ry = 8 / h * 2;
      const a0 = T[0][0], a1 = T[0][1], a2 = T[0][2], a3 = T[0][3];
      const b0 = T[1][0], b1 = T[1][1], b2 = T[1][2], b3 = T[1][3];
      const coords = this.coords, hidden = this.hidden, n = this.n;
      let best = -1, bestDistance = 1;
      for (let i = 0; i < n; i++) {
        const j = i * 3;
        const dx = (a0 * coords[j] + a1 * coords[j + 1] + a2 * coords[j + 2] + a3 - cx) / rx;
        if (dx > 1 || dx < -1) continue;
        const dy = (b0 * coords[j] + b1 * coords[j + 1] + b2 * coords[j + 2] + b3 - cy) / ry;
        if (dy > 1 || dy < -1) continue;
        const d = dx * dx + dy * dy;
        if (d < bestDistance && !hidden[i]) { bestDistance = d; best = i; }
      }
      probe.pickMs = performance.now() - started;
      return best;
    }

    bindMouse() {
      const node = this.node;
      let drag = null, moved = false, scheduled = null;
      node.addEventListener("mousedown", (event) => {
        drag = { x: event.clientX, y: event.clientY, camera: Object.assign({}, this.camera),
          pan: event.shiftKey || event.button === 2 || this.dims === 2 };
        moved = false;
      });
      window.addEventListener("mouseup", (event) => {
        if (drag && !moved && event.target === this.canvas) {
          const rect = node.getBoundingClientRect();
          const row = this.pick(event.clientX - rect.left, event.clientY - rect.top);
          if (row >= 0 && this.tokens) selectWord(this.tokens[row], this.index, false);
        }
        drag = null;
      });
      window.addEventListener("mousemove", (event) => {
        if (drag) {
          const dx = event.clientX - drag.x, dy = event.clientY - drag.y;
          if (Math.abs(dx) + Math.abs(dy) > 3) moved = true;
          if (!moved) return;
          const w = node.clientWidth, h = node.clientHeight;
          if (drag.pan) {
            this.camera.panX = drag.camera.panX + dx / w * 2;
            this.camera.panY = drag.camera.panY - dy / h * 2;
          } else {
            this.camera.yaw = drag.camera.yaw + dx / 150;
            this.camera.pitch = Math.max(-1.5, Math.min(1.5, drag.camera.pitch + dy / 150));
          }
          this.tooltip.hidden = true;
          this.draw();
          return;
        }
        if (event.target !== this.canvas) { if (this.hover >= 0) { this.hover = -1; this.tooltip.hidden = true; } return; }
        const rect = node.getBoundingClientRect();
        const x = event.clientX - rect.left, y = event.clientY - rect.top;
        if (scheduled) return;
        scheduled = requestAnimationFrame(() => {
          scheduled = null;
          const row = this.pick(x, y);
          this.hover = row;
          if (row < 0 || !this.tokens) { this.tooltip.hidden = true; return; }
          let text = this.tokens[row];
          if (this.legend && this.groups) text += `  (${this.legend[this.groups[row]] || ""})`;
          this.tooltip.textContent = text;
          this.tooltip.style.left = `${x + 12}px`;
          this.tooltip.style.top = `${y + 8}px`;
          this.tooltip.hidden = false;
        });
      });
      node.addEventListener("wheel", (event) => {
        event.preventDefault();
        const rect = node.getBoundingClientRect();
        const cx = (event.clientX - rect.left) / node.clientWidth * 2 - 1;
        const cy = 1 - (event.clientY - rect.top) / node.clientHeight * 2;
        const factor = Math.exp(-event.deltaY / 500);
        const zoom = Math.max(0.2, Math.min(5000, this.camera.zoom * factor));
        const k = zoom / this.camera.zoom;
        // keep the point under the cursor in place
        this.camera.panX = cx - (cx - this.camera.panX) * k;
        this.camera.panY = cy - (cy - this.camera.panY) * k;
        this.camera.zoom = zoom;
        this.draw();
      }, { passive: false });
      node.addEventListener("contextmenu", (event) => event.preventDefault());
    }

    // pan and zoom so that `rows` fill the middle of the view
    fit(rows) {
      rows = rows.filter((r) => r < this.n);
      if (!rows.length) return;
      const saved = Object.assign({}, this.camera);
      Object.assign(this.camera, { zoom: 1, panX: 0, panY: 0 });
      const T = this.transform();
      let lowX = Infinity, highX = -Infinity, lowY = Infinity, highY = -Infinity;
      for (const row of rows) {
        const j = row * 3, c = this.coords;
        const X = T[0][0] * c[j] + T[0][1] * c[j + 1] + T[0][2] * c[j + 2] + T[0][3];
        const Y = T[1][0] * c[j] + T[1][1] * c[j + 1] + T[1][2] * c[j + 2] + T[1][3];
        lowX = Math.min(lowX, X); highX = Math.max(highX, X); lowY = Math.min(lowY, Y); highY = Math.max(highY, Y);
      }
      const half = Math.max(highX - lowX, highY - lowY) / 2;
      // close enough to read the labels, not so close that the surroundings vanish
      const zoom = rows.length === 1 ? Math.max(saved.zoom, 6) : Math.max(0.5, Math.min(4, 0.7 / Math.max(half, 1e-9)));
      this.camera.zoom = zoom;
      this.camera.panX = -(lowX + highX) / 2 * zoom;
      this.camera.panY = -(lowY + highY) / 2 * zoom;
      this.draw();
    }
  }

  // ----------------------------------------------------------------------- loading -------
  let loadSerial = 0;
  async function loadProjection(keepCamera) {
    const serial = ++loadSerial;
    const method = state.method;
    const params = { dims: state.dims, format: "f32" };
    if (state.limit) params.limit = state.limit;
    let path = "projection";
    if (method === "axes") {
      if (!state.x || !state.y) { status("custom axes: fill in x and y (e.g. king - queen)", true); return; }
      path = "axes";
      Object.assign(params, { x: state.x, y: state.y });
      if (state.dims === 3 && state.z) params.z = state.z;
      else params.dims = undefined;
      delete params.dims;
    } else params.method = method;
    status(`loading ${method}…`);
    try {
      const results = await Promise.all(views.map((view) => pollProjection(path, Object.assign({ model: view.index }, params), serial)));
      if (serial !== loadSerial) return;
      results.forEach((result, k) => views[k].setCoordinates(result.data, result.points, result.dims, keepCamera));
      $("progress").hidden = true;
      status("");
      probe.loads += 1;
      $("summary").textContent = info.models.map((m, k) => `${m.name}: ${views[k].n.toLocaleString()} of ${m.points.toLocaleString()} ${m.kind} × ${m.dim}`).join("   |   ") + `   ·   ${method}${method === "axes" ? "" : " " + state.dims + "-D"}`;
    } catch (error) {
      if (serial !== loadSerial) return;
      $("progress").hidden = true;
      status(error.message, true);
      showSuggestions(error);
    }
  }

  async function pollProjection(path, params, serial) {
    for (;;) {
      const result = await api(path, params, "f32");
      if (!result.pending) return result;
      if (serial !== loadSerial) throw new Error("superseded");
      const job = result.pending;
      $("progress").hidden = false;
      $("progress-bar").style.width = `${Math.round(job.progress * 100)}%`;
      $("progress-text").textContent = `${job.method} on ${job.points.toLocaleString()} points: ${job.stage} ${Math.round(job.progress * 100)}% (${job.elapsed} s)`;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  async function loadGroups() {
    const legendNode = $("legend");
    legendNode.textContent = "";
    hiddenGroups.clear();
    await Promise.all(views.map(async (view) => {
      const groupings = info.models[view.index].groupings;
      const by = state.color === "label" && !groupings.label ? "frequency" : state.color;
      if (by === "none") { view.groups = null; view.legend = null; view.updateHidden(); return; }
      const codes = await api("groups", { by, model: view.index }, "u8");
      view.setGroups(codes, groupings[by]);
    }));
    const legend = views[0].legend || [];
    legend.forEach((name, k) => {
      const item = el("div", { title: "click: hide / show" });
      const swatch = el("span", { className: "swatch" });
      swatch.style.background = PALETTE[Math.min(k, 20)];
      item.append(swatch, el("span", {}, name));
      item.addEventListener("click", () => {
        if (hiddenGroups.has(k)) hiddenGroups.delete(k); else hiddenGroups.add(k);
        item.classList.toggle("off", hiddenGroups.has(k));
        views[0].updateHidden(); views[0].updateMarks();
      });
      legendNode.appendChild(item);
    });
  }

  // ------------------------------------------------------------- search and queries ------
  function setHighlight(next) {
    highlight = Object.assign({ focus: -1, neighbours: [], matches: [], perView: {} }, next);
    for (const view of views) view.updateMarks();
    if (state.isolate) isolate(true);
  }

  function search(fit) {
    const started = performance.now();
    const query = state.q;
    const infoNode = $("search-info");
    if (!query) { infoNode.textContent = ""; setHighlight(Object.assign({}, highlight, { matches: [], perView: matchesPerView([]) })); return; }
    const view = views[0];
    if (!view.tokens) return;
    let test;
    if (state.regex) {
      try { test = new RegExp(query, "i"); } catch (error) { infoNode.textContent = `bad regex: ${error.message}`; infoNode.className = "error"; return; }
    } else {
      const needle = query.toLowerCase();
      test = { test: (token) => token.toLowerCase().includes(needle) };
    }
    const matches = [];
    const tokens = view.tokens, n = view.n;
    for (let i = 0; i < n; i++) if (test.test(tokens[i])) matches.push(i);
    probe.searchMs = performance.now() - started;
    infoNode.className = "";
    infoNode.textContent = `${matches.length.toLocaleString()} match${matches.length === 1 ? "" : "es"} among ${n.toLocaleString()} points`;
    const words = matches.slice(0, MAX_MARKED).map((r) => tokens[r]);
    setHighlight(Object.assign({}, highlight, { matches, perView: matchesPerView(words) }));
    // an exact word: list its neighbours as well, and show them around it
    const exact = !state.regex && view.tokenIndex && view.tokenIndex.has(query);
    if (fit && matches.length && !exact) views.forEach((v, k) => v.fit(k === 0 ? matches.slice(0, MAX_MARKED) : v.rowsOf(words)));
    if (exact) selectWord(query, 0, fit);
  }

  function matchesPerView(words) {
    const result = {};
    views.slice(1).forEach((v) => {
      const previous = (highlight.perView || {})[v.index] || {};
      result[v.index] = Object.assign({ focus: -1, neighbours: [] }, previous, { matches: v.rowsOf(words) });
    });
    return result;
  }

  async function selectWord(word, fromView, fit) {
    state.word = word;
    writeHash();
    const list = $("neighbors");
    $("results-title").textContent = `Neighbours of “${word}”`;
    list.textContent = "";
    const perView = {};
    let first = null;
    for (const view of views) {
      const box = el("div");
      if (views.length > 1) box.appendChild(el("h2", {}, view.model.name));
      list.appendChild(box);
      try {
        const started = performance.now();
        const result = await api("neighbors", { word, topn: state.topn, metric: state.metric, model: view.index });
        probe.queryMs = performance.now() - started;
        const rows = result.neighbors.map((item) => item.row);
        const focus = view.tokenIndex ? view.tokenIndex.get(word) : undefined;
        const own = { focus: focus === undefined ? -1 : focus, neighbours: rows.filter((r) => r < view.n),
          matches: ((highlight.perView || {})[view.index] || {}).matches || [] };
        if (view.index === 0) first = own; else perView[view.index] = own;
        box.appendChild(neighbourList(result.neighbors, view));
      } catch (error) {
        box.appendChild(el("div", { className: "error" }, error.message.split("; did you mean")[0]));
        if (error.suggestions && error.suggestions.length) box.appendChild(suggestionList(error.suggestions));
        if (view.index === 0) first = { focus: -1, neighbours: [], matches: highlight.matches };
        else perView[view.index] = { focus: -1, neighbours: [], matches: [] };
      }
    }
    setHighlight({ focus: first.focus, neighbours: first.neighbours, matches: highlight.matches, perView });
    if (fit) views.forEach((v, k) => { const own = k === 0 ? first : perView[k]; if (own.focus >= 0) v.fit([own.focus, ...own.neighbours]); });
    probe.selected = word;   // tests wait for this: the lists and the camera are final
  }

  function neighbourList(items, view) {
    const ol = el("ol", { className: "neighbour-list" });
    for (const item of items) {
      const li = el("li");
      li.dataset.word = item.word;
      li.append(el("span", { className: "word" }, item.word), el("span", { className: "score" }, item.score.toFixed(4)));
      if (item.row >= view.n) li.classList.add("muted");
      li.addEventListener("click", () => selectWord(item.word, view.index, true));
      ol.appendChild(li);
    }
    return ol;
  }

  function suggestionList(words) {
    const box = el("div", { className: "muted" }, "did you mean: ");
    words.forEach((word, k) => {
      const link = el("a", { href: "#" }, word);
      link.addEventListener("click", (event) => { event.preventDefault(); $("search").value = word; state.q = word; writeHash(); search(true); });
      if (k) box.append(", ");
      box.appendChild(link);
    });
    return box;
  }

  function showSuggestions(error) {
    if (error.suggestions && error.suggestions.length) status(`${error.message}`, true);
  }

  async function analogy() {
    const [a, b, c] = ["an-a", "an-b", "an-c"].map((id) => $(id).value.trim());
    Object.assign(state, { a, b, c });
    writeHash();
    if (!a || !b || !c) return;
    const list = $("neighbors");
    $("results-title").textContent = `${a} : ${b} :: ${c} : ?`;
    list.textContent = "";
    try {
      const result = await api("analogy", { a, b, c, topn: state.topn, model: 0 });
      list.appendChild(neighbourList(result.answers, views[0]));
      const index = views[0].tokenIndex;
      setHighlight({ focus: -1, neighbours: result.answers.map((x) => x.row).filter((r) => r < views[0].n),
        matches: [a, b, c].map((w) => index.get(w)).filter((r) => r !== undefined) });
    } catch (error) {
      list.appendChild(el("div", { className: "error" }, error.message.split("; did you mean")[0]));
      if (error.suggestions.length) list.appendChild(suggestionList(error.suggestions));
    }
  }

  function highlightedRows(view) {
    const own = view.highlightRows();
    const rows = new Set([...own.matches, ...own.neighbours]);
    if (own.focus >= 0) rows.add(own.focus);
    return rows;
  }

  function isolate(quiet) {
    const rows = views.map(highlightedRows);
    if (!rows[0].size) {
      if (!quiet) status("nothing highlighted to isolate: search or click a word first", true);
      return;
    }
    state.isolate = 1; writeHash();
    views.forEach((view, k) => { view.isolated = rows[k]; view.updateHidden(); view.updateMarks(); });
  }

  function showAll() {
    state.isolate = 0; writeHash();
    views.forEach((view) => { view.isolated = null; });
    hiddenGroups.clear();
    document.querySelectorAll("#legend div").forEach((d) => d.classList.remove("off"));
    for (const view of views) { view.updateHidden(); view.updateMarks(); }
  }

  function exportTSV() {
    for (const view of views) {
      const names = view.dims === 3 ? ["x", "y", "z"] : ["x", "y"];
      const lines = [["word", ...names, "group"].join("\t")];
      for (let i = 0; i < view.n; i++) {
        if (view.hidden[i]) continue;
        const values = [];
        for (let d = 0; d < view.dims; d++) values.push(view.raw[i * view.dims + d]);
        const group = view.legend && view.groups ? view.legend[view.groups[i]] : "";
        lines.push([view.tokens[i].replace(/\t/g, " "), ...values, group].join("\t"));
      }
      const blob = new Blob([lines.join("\n") + "\n"], { type: "text/tab-separated-values" });
      const link = el("a", { href: URL.createObjectURL(blob),
        download: `wordspace-${state.method}-${view.dims}d${views.length > 1 ? "-model" + (view.index + 1) : ""}.tsv` });
      document.body.appendChild(link);
      link.click();
      setTimeout(() => { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    }
  }

  async function loadMoved() {
    if (views.length < 2) return;
    $("moved-box").hidden = false;
    const result = await api("moved", { topn: 30 });
    const list = $("moved");
    list.textContent = "";
    for (const item of result.words) {
      const li = el("li");
      li.dataset.word = item.word;
      li.append(el("span", {}, item.word), el("span", { className: "score" }, item.distance.toFixed(3)));
      li.addEventListener("click", () => selectWord(item.word, 0, true));
      list.appendChild(li);
    }
  }

  // ------------------------------------------------------------------------ controls ------
  function syncControls() {
    $("method").value = state.method;
    $("dims").value = String(state.dims);
    $("limit").value = state.limit;
    $("search").value = state.q;
    $("regex").checked = !!state.regex;
    $("metric").value = state.metric;
    $("topn").value = state.topn;
    $("color").value = state.color;
    $("axis-x").value = state.x; $("axis-y").value = state.y; $("axis-z").value = state.z;
    $("an-a").value = state.a; $("an-b").value = state.b; $("an-c").value = state.c;
    $("axes-box").hidden = state.method !== "axes";
  }

  function bindControls() {
    $("method").addEventListener("change", () => {
      state.method = $("method").value; writeHash(); syncControls();
      if (state.method !== "axes" || (state.x && state.y)) loadProjection(false);
    });
    $("dims").addEventListener("change", () => { state.dims = +$("dims").value; writeHash(); loadProjection(false); });
    $("limit").addEventListener("change", () => { state.limit = $("limit").value; writeHash(); loadProjection(false); });
    $("axes-apply").addEventListener("click", () => {
      state.x = $("axis-x").value.trim(); state.y = $("axis-y").value.trim(); state.z = $("axis-z").value.trim();
      writeHash(); loadProjection(false);
    });
    $("search-form").addEventListener("submit", (event) => {
      event.preventDefault(); state.q = $("search").value.trim(); writeHash(); search(true);
    });
    $("search").addEventListener("input", () => {
      if ($("search").value.trim() === "" && state.q) { state.q = ""; writeHash(); search(false); }
    });
    $("regex").addEventListener("change", () => { state.regex = $("regex").checked ? 1 : 0; writeHash(); if (state.q) search(true); });
    $("metric").addEventListener("change", () => { state.metric = $("metric").value; writeHash(); if (state.word) selectWord(state.word, 0, false); });
    $("topn").addEventListener("change", () => {
      state.topn = Math.max(1, Math.min(1000, parseInt($("topn").value, 10) || 20)); $("topn").value = state.topn;
      writeHash(); if (state.word) selectWord(state.word, 0, false);
    });
    $("analogy-form").addEventListener("submit", (event) => { event.preventDefault(); analogy(); });
    $("color").addEventListener("change", () => { state.color = $("color").value; writeHash(); loadGroups(); });
    $("isolate").addEventListener("click", () => isolate(false));
    $("show-all").addEventListener("click", showAll);
    $("reset-view").addEventListener("click", () => views.forEach((v) => v.resetCamera()));
    $("export").addEventListener("click", exportTSV);
  }

  async function loadTokens(view) {
    const text = await api("tokens", { model: view.index }, "text");
    view.tokens = text.split("\n");
    const index = new Map();
    view.tokens.forEach((token, row) => { if (!index.has(token)) index.set(token, row); });
    view.tokenIndex = index;
    view.draw();
  }

  async function main() {
    readHash();
    try {
      info = await api("info", {});
    } catch (error) { status(`cannot reach the server: ${error.message}`, true); return; }
    // documents with labels are coloured by label unless the URL says otherwise
    if (!new URLSearchParams(location.hash.slice(1)).has("color") && info.models[0].groupings.label) state.color = "label";
    const colour = $("color");
    colour.appendChild(el("option", { value: "frequency" }, "frequency band"));
    if (info.models[0].groupings.label) colour.appendChild(el("option", { value: "label" }, "label"));
    colour.appendChild(el("option", { value: "none" }, "nothing"));
    if (!["frequency", "label", "none"].includes(state.color) || (state.color === "label" && !info.models[0].groupings.label)) state.color = "frequency";
    if (!info.umap) $("method").querySelector("option[value=umap]").disabled = true;
    info.models.forEach((model, k) => views.push(new View(k, model)));
    if (!state.limit && (state.method === "tsne" || state.method === "umap")) state.limit = "";
    syncControls();
    bindControls();
    const tokens = Promise.all(views.map(loadTokens));
    await Promise.all([loadProjection(false), loadGroups()]);
    await tokens;
    views.forEach((v) => v.draw());
    if (state.q) search(true);
    if (state.word) await selectWord(state.word, 0, !state.q);
    if (state.a && state.b && state.c && !state.word) await analogy();
    if (state.isolate) isolate();
    await loadMoved();
    probe.ready = true;
  }

  // helpers for tests and benchmarks: where a word is drawn (page coordinates)
  probe.screenOf = (word, model) => {
    const view = views[model || 0];
    const row = view.tokenIndex ? view.tokenIndex.get(word) : undefined;
    if (row === undefined || row >= view.n) return null;
    const [x, y] = view.toScreen(view.transform(), row);
    const rect = view.node.getBoundingClientRect();
    return { x: rect.left + x, y: rect.top + y };
  };
  probe.pickAt = (x, y, model) => {
    const view = views[model || 0];
    const rect = view.node.getBoundingClientRect();
    const row = view.pick(x - rect.left, y - rect.top);
    return row >= 0 ? view.tokens[row] : null;
  };
  probe.state = state;
  probe.views = views;

  main();
})();
