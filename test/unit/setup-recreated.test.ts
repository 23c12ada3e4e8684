import { describe, expect, it } from 'vitest';
import { recreatedLine } from '../../src/commands/setup/index.js';

describe('tp7 setup run again after a cleanup', () => {
  it('says what it made again, and that the cleanup checks need a new run', () => {
    const line = recreatedLine({ images: ['tp7-ex6-batch:1.0'], containers: ['tp7-ex6-web'], dangling: 2 });
    expect(line?.en).toBe('Recreated 4 image(s)/container(s) you had removed (tp7-ex6-batch:1.0, container tp7-ex6-web, 2 dangling); your cleanup checks will need a new run of your scripts.');
    expect(line?.fr).toContain('Recréé : 4 image(s)/conteneur(s) que vous aviez supprimé(s)');
  });
  it('says nothing when nothing had to be made again', () => {
    expect(recreatedLine({ images: [], containers: [], dangling: 0 })).toBeUndefined();
  });
});
