import { VERSION } from '../../../shared/src/version';
import packageJson from '../../../package.json';

it('reports the version of package.json', () => {
  expect(VERSION).toBe(packageJson.version);
});
