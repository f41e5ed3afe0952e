// Starts the Pantau frontend from a file instead of the inline <script type="module"> Trunk
// writes by default, so the Content-Security-Policy can say `script-src 'self'` with no
// hash or nonce. Trunk.toml's `pattern_script` names this file and passes the hashed
// wasm-bindgen module and wasm binary in data attributes.
const boot = document.querySelector("script[data-pantau-js]");
const { default: init } = await import(boot.dataset.pantauJs);
await init({ module_or_path: boot.dataset.pantauWasm });
