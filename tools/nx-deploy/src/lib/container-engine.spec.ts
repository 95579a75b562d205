import { existsSync } from 'node:fs';
import { createContainerEngine } from './container-engine';
import { resolveEngine } from './options-error';

describe('the container engine the deploy drives', () => {
  it("runs podman with the workspace's containers.conf unless CONTAINERS_CONF names another", () => {
    const podman = createContainerEngine('podman', { PATH: '/bin' });
    const save = podman.save('todo-backend:1', '/tmp/a.tar');
    expect(save).toMatchObject({
      command: 'podman',
      args: ['save', '-o', '/tmp/a.tar', 'todo-backend:1'],
    });
    expect(save.env?.['CONTAINERS_CONF']).toMatch(/tools\/scripts\/containers\.conf$/);
    expect(existsSync(save.env?.['CONTAINERS_CONF'] as string)).toBe(true);
    expect(save.env?.['PATH']).toBe('/bin');

    const own = createContainerEngine('podman', { CONTAINERS_CONF: '/etc/mine.conf' });
    expect(own.imageId('x:1').env?.['CONTAINERS_CONF']).toBe('/etc/mine.conf');
    expect(createContainerEngine('docker', {}).tag('a', 'b').env).toEqual({});
  });

  it('takes the option first, then CONTAINER_ENGINE, naming whichever is wrong', () => {
    expect(resolveEngine('docker', { CONTAINER_ENGINE: 'podman' })).toBe('docker');
    expect(resolveEngine(undefined, { CONTAINER_ENGINE: 'podman' })).toBe('podman');
    expect(resolveEngine(undefined, {})).toBe('docker');
    expect(() => resolveEngine('nerdctl', {})).toThrow(
      'Invalid option "engine": must be "docker" or "podman", got "nerdctl"',
    );
  });
});
