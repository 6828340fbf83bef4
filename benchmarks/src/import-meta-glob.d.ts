// `import.meta.glob`, expanded at build time by tsdown (rolldown) and at test time by vitest (vite).
interface ImportMeta {
  glob<T>(pattern: string, options: { eager: true; import: 'default' }): Record<string, T>;
}
