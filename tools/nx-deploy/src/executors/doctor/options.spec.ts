import { normalizeDoctorOptions } from './options';

describe('normalizeDoctorOptions', () => {
  it('expects the context the cluster tool writes, and any context with cluster: any', () => {
    expect(normalizeDoctorOptions({}, {}).kubeContext).toBe('minikube');
    expect(normalizeDoctorOptions({ cluster: 'kind', kindCluster: 'dev' }, {}).kubeContext).toBe(
      'kind-dev',
    );
    expect(normalizeDoctorOptions({ cluster: 'any' }, {}).kubeContext).toBeUndefined();
  });

  it('refuses an unknown cluster tool and a bad memory threshold by name', () => {
    expect(() => normalizeDoctorOptions({ cluster: 'k3d' as 'kind' }, {})).toThrow(
      'Invalid option "cluster": must be one of minikube, kind, any, got "k3d"',
    );
    expect(() => normalizeDoctorOptions({ minMemoryMiB: 100 }, {})).toThrow(
      'Invalid option "minMemoryMiB": must be a whole number, 256 or more',
    );
  });
});
