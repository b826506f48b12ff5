import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const clientRoot = fileURLToPath(new URL('./client', import.meta.url));
const page = (name: string) => fileURLToPath(new URL(`./client/${name}.html`, import.meta.url));

/** Where `vite dev` forwards API, media and socket traffic: a running Axon server. */
const devBackend = process.env.AXON_DEV_BACKEND ?? 'http://127.0.0.1:8080';

/** The dev server's twin of the Axon server's page routes (/studio/:id → studio.html, ...). */
function pageRoutes(): Plugin {
  const route = /^\/(studio|watch|embed)\/[^/?#]+\/?(\?.*)?$/;
  return {
    name: 'axon-page-routes',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        const match = req.url ? route.exec(req.url) : null;
        if (match) req.url = `/${match[1]}.html${match[2] ?? ''}`;
        next();
      });
    },
  };
}

export default defineConfig({
  root: clientRoot,
  appType: 'mpa',
  plugins: [pageRoutes()],
  build: {
    outDir: fileURLToPath(new URL('./dist/client', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    // hls.js and dash.js are large on their own; each is a lazy chunk only its engine loads.
    chunkSizeWarningLimit: 1000,
    rolldownOptions: {
      input: {
        index: page('index'),
        studio: page('studio'),
        watch: page('watch'),
        embed: page('embed'),
      },
    },
  },
  server: {
    proxy: {
      '/api': devBackend,
      '/live': devBackend,
      '/healthz': devBackend,
      '/whip': devBackend,
      '/whep': devBackend,
      '/socket.io': { target: devBackend, ws: true },
    },
  },
});
