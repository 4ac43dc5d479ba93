// `npm install <git url>` yields the built package: npm clones the repository, installs its dev dependencies in the
// clone (from the local npm cache, --prefer-offline) and runs `prepare`, which builds dist. Here the URL is a
// git+file:// one of a repository holding this working tree, installed in a project outside the repository.
// Slow by nature: the clone gets every dev dependency, and npm builds aws-lambda-ric (the runner's optional
// client) from source in the clone, which it forces with --include=optional.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newProject, nodeEval, npmInstall, PACKAGE_FILES, snapshotRepo, tempDir } from '../support/scratch.ts';

let work: { dir: string; cleanup: () => void };
let app: string;
let url: string;

beforeAll(() => {
  work = tempDir('llt-git-install-');
  url = `git+file://${snapshotRepo(path.join(work.dir, 'lambda-llm-tracing'))}`;
  app = newProject(path.join(work.dir, 'my-function'), 'my-function');
  npmInstall(app, [url], { timeoutMs: 1_150_000 });
}, 1_200_000);

afterAll(() => work?.cleanup());

describe('npm install <git url>', () => {
  it('installs the built package: dist (ESM, CJS, types, extension.mjs), README, LICENSE, CHANGELOG', () => {
    const pkg = path.join(app, 'node_modules', 'lambda-llm-tracing');
    for (const f of PACKAGE_FILES) {
      expect(fs.existsSync(path.join(pkg, f)), f).toBe(true);
    }
    // What `files` leaves out stays out, as from the registry.
    expect(fs.existsSync(path.join(pkg, 'src'))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8')).dependencies['lambda-llm-tracing']).toBe(url);
  });

  it('imports as ESM and CommonJS, and resolves the extension', () => {
    expect(nodeEval(app, "import { withLlmTracing } from 'lambda-llm-tracing'; console.log(typeof withLlmTracing)", 'module')).toBe('function');
    expect(nodeEval(app, "console.log(typeof require('lambda-llm-tracing').withLlmTracing)", 'commonjs')).toBe('function');
    expect(nodeEval(app, "console.log(import.meta.resolve('lambda-llm-tracing/extension'))", 'module')).toBe(
      `file://${app}/node_modules/lambda-llm-tracing/dist/extension.mjs`,
    );
  });

  it("the README's git URL is the package's repository", () => {
    const root = path.resolve(new URL('../..', import.meta.url).pathname);
    const repo = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { repository: { url: string } }).repository.url;
    expect(fs.readFileSync(path.join(root, 'README.md'), 'utf8')).toContain(`npm install ${repo}\n`);
  });
});
