import { Size } from 'cdk8s';
import { Construct } from 'constructs';
import { GpuRequest } from '../../src/accelerators/gpu-request';
import { InferenceService } from '../../src/serving/inference-service';
import { ModelSource } from '../../src/serving/model-source';
import { OciModelFallback } from '../../src/serving/oci-model-fallback';
import { ModelVolumeAccessMode, SharedModelVolume } from '../../src/serving/shared-model-volume';
import { badInputCatalogue } from '../harness';

/** Refusals of the model artifact sources: OCI images, shared volumes, download sizes. */

const DIGEST = `registry.example.com/models/llama@sha256:${'a'.repeat(64)}`;

function svc(scope: Construct, model: ModelSource): InferenceService {
  return new InferenceService(scope, 'llm', { model, gpus: GpuRequest.of(1) });
}

beforeAll(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

badInputCatalogue([
  {
    name: 'OCI image on Kubernetes 1.34 without a fallback',
    error: '[bad-input/llm] model: ModelSource.ociImage("registry.example.com/models/llama@sha256:' + 'a'.repeat(64) + '") mounts the image as a ' +
      'Kubernetes image volume, which needs the feature gate ImageVolume (on by default from Kubernetes 1.35), off on the target Kubernetes 1.34; ' +
      'expected a ClusterProfile with kubernetesVersion 1.35 or later (or featureGates (feature_gates): { ImageVolume: true }), { fallback: OciModelFallback.MODELCAR } to run the image as a modelcar sidecar instead, or ' +
      'ModelSource.storageUri("oci://registry.example.com/models/llama@sha256:' + 'a'.repeat(64) + '") to copy the model into an emptyDir',
    build: (s) => svc(s, ModelSource.ociImage(DIGEST)),
  },
  {
    name: 'OCI image reference with a scheme',
    error: '[bad-input/llm] model: got "oci://registry.example.com/m:1"; expected an image reference such as',
    build: (s) => svc(s, ModelSource.ociImage('oci://registry.example.com/m:1', { fallback: OciModelFallback.MODELCAR })),
  },
  {
    name: 'OCI image path relative',
    error: '[bad-input/llm] model.path: got "models"; expected an absolute path inside the image without ".."',
    build: (s) => svc(s, ModelSource.ociImage(DIGEST, { path: 'models' })),
  },
  {
    name: 'OCI fallback not an OciModelFallback',
    error: '[bad-input/llm] model.fallback: got "copy"; expected an OciModelFallback: one of None, Modelcar',
    build: (s) => svc(s, ModelSource.ociImage(DIGEST, { fallback: 'copy' as any })),
  },
  {
    name: 'OCI options null from untyped code',
    error: 'OciImageModelOptions',
    build: (s) => svc(s, ModelSource.ociImage(DIGEST, 5 as any)),
  },
  {
    name: 'download size zero',
    error: '[bad-input/llm] model.size: got "0Gi"; expected a positive size (the model\'s size on disk)',
    build: (s) => svc(s, ModelSource.storageUri('s3://b/m', { size: Size.gibibytes(0) })),
  },
  {
    name: 'shared volume claim name invalid',
    error: '[bad-input/llm] model.sharedVolume (model.shared_volume): got "Models"; expected a PersistentVolumeClaim name (DNS-1123 subdomain)',
    build: (s) => svc(s, ModelSource.storageUri('s3://b/m', { sharedVolume: SharedModelVolume.existingClaim('Models') })),
  },
  {
    name: 'shared volume size zero',
    error: '[bad-input/llm] model.sharedVolume.size (model.shared_volume.size): got "0Gi"; expected a positive size',
    build: (s) => svc(s, ModelSource.storageUri('s3://b/m', { sharedVolume: SharedModelVolume.newClaim({ size: Size.gibibytes(0) }) })),
  },
  {
    name: 'shared volume StorageClass invalid',
    error: '[bad-input/llm] model.sharedVolume.storageClassName (model.shared_volume.storage_class_name): got "Fast SSD"; expected a StorageClass name',
    build: (s) => svc(s, ModelSource.storageUri('s3://b/m', { sharedVolume: SharedModelVolume.newClaim({ size: Size.gibibytes(1), storageClassName: 'Fast SSD' }) })),
  },
  {
    name: 'shared volume access mode read-only',
    error: '[bad-input/llm] model.sharedVolume.accessMode (model.shared_volume.access_mode): got "ReadOnlyMany"; expected one of ReadWriteMany, ReadWriteOnce',
    build: (s) => svc(s, ModelSource.storageUri('s3://b/m', { sharedVolume: SharedModelVolume.newClaim({ size: Size.gibibytes(1), accessMode: 'ReadOnlyMany' as ModelVolumeAccessMode }) })),
  },
  {
    name: 'shared volume for an oci:// URI',
    error: '[bad-input/llm] model.sharedVolume (model.shared_volume): got "SharedModelVolume"; expected unset for an oci:// URI',
    build: (s) => svc(s, ModelSource.storageUri('oci://r/m:1', { sharedVolume: SharedModelVolume.existingClaim('models') })),
  },
  {
    name: 'shared volume without a size',
    error: 'SharedModelVolume.newClaim',
    build: (s) => svc(s, ModelSource.storageUri('s3://b/m', { sharedVolume: SharedModelVolume.newClaim({} as any) })),
  },
]);
