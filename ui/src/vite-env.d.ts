/// <reference types="svelte" />
/// <reference types="vite/client" />

/** The UI version from package.json, injected by Vite. */
declare const __APP_VERSION__: string;
