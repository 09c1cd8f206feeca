import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateImports } from '../tools/imports/generate';

test('the committed imports/ are what the generator writes from ../shared (run `npx projen import` if this fails)', async () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-ai-imports-'));
  const log = console.log;
  console.log = () => {};
  try {
    const files = await generateImports(outdir);
    const committed = path.join(__dirname, '..', 'imports');
    expect(fs.readdirSync(committed).sort()).toEqual([...files].sort());
    for (const file of files) {
      const same = fs.readFileSync(path.join(outdir, file)).equals(fs.readFileSync(path.join(committed, file)));
      expect({ file, same }).toEqual({ file, same: true });
    }
  } finally {
    console.log = log;
    fs.rmSync(outdir, { recursive: true, force: true });
  }
});
