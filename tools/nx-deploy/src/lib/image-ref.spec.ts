import {
  canonicalRef,
  fullyQualified,
  parseRef,
  repositoryInRegistry,
  sameImage,
} from './image-ref';

describe('image references', () => {
  it('keeps a registry port inside the repository', () => {
    expect(parseRef('localhost:5000/todo/app:1')).toEqual({
      repository: 'localhost:5000/todo/app',
      tag: '1',
    });
  });

  it('treats Docker Hub short names as the fully qualified name, but not Podman localhost names', () => {
    expect(sameImage('todo-frontend:1', 'docker.io/library/todo-frontend:1')).toBe(true);
    expect(sameImage('todo-frontend:1', 'localhost/todo-frontend:1')).toBe(false);
    expect(canonicalRef('localhost/todo/frontend:1')).toBe('localhost/todo/frontend:1');
  });

  it('qualifies names the way a runtime does', () => {
    expect(fullyQualified('todo-frontend:1')).toBe('docker.io/library/todo-frontend:1');
    expect(fullyQualified('acme/app:1')).toBe('docker.io/acme/app:1');
    expect(fullyQualified('localhost/todo/frontend:1')).toBe('localhost/todo/frontend:1');
  });

  it('moves a local repository into a registry', () => {
    expect(repositoryInRegistry('ghcr.io/acme/', 'localhost/todo/frontend')).toBe(
      'ghcr.io/acme/todo/frontend',
    );
    expect(repositoryInRegistry('ghcr.io/acme', 'todo-frontend')).toBe(
      'ghcr.io/acme/todo-frontend',
    );
  });
});
