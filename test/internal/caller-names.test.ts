import { pathForCallers, propForCallers, pythonName, textForCallers } from '../../src/internal/caller-names';
import { ValidationError, invalidProp, validationMessage } from '../../src/internal/errors';

// Issue 17, class 6: every message names multi-word props and factories in TypeScript's and Python's spelling.

test('Python spellings follow jsii', () => {
  expect(pythonName('apiServer')).toBe('api_server');
  expect(pythonName('gpuMemoryUtilization')).toBe('gpu_memory_utilization');
  expect(pythonName('issuerRegExp')).toBe('issuer_reg_exp');
  expect(pythonName('argoCd')).toBe('argo_cd');
});

test('props: both spellings when they differ; user keys (env, labels) kept', () => {
  expect(propForCallers('replicas')).toBe('replicas');
  expect(propForCallers('apiServer.cidrs[0]')).toBe('apiServer.cidrs[0] (api_server.cidrs[0])');
  expect(propForCallers('server.env.myVar')).toBe('server.env.myVar');
  expect(propForCallers('secretEnv.MY_KEY.secretName')).toBe('secretEnv.MY_KEY.secretName (secret_env.MY_KEY.secret_name)');
  expect(propForCallers('endpointPicker, autoscaling')).toBe('endpointPicker (endpoint_picker), autoscaling');
});

test('factories in the path and in the text; user values in quotes untouched; idempotent', () => {
  expect(pathForCallers('EvalDelivery.argoCd')).toBe('EvalDelivery.argoCd (argo_cd)');
  expect(pathForCallers('GpuRequest.of')).toBe('GpuRequest.of');
  expect(pathForCallers('bad-input/llm')).toBe('bad-input/llm');
  const text = 'use EvalDelivery.argoCd() or GpuRequest.firstAvailable([a, b]); give apiServer: { cidrs: [...] }, not "apiServer: x"';
  const once = textForCallers(text);
  expect(once).toBe('use EvalDelivery.argoCd() (argo_cd()) or GpuRequest.firstAvailable([a, b]) (first_available(...)); give ' +
    'apiServer (api_server): { cidrs: [...] }, not "apiServer: x"');
  expect(textForCallers(once)).toBe(once);
  expect(textForCallers('must set automountServiceAccountToken: false')).toBe('must set automountServiceAccountToken: false');
});

test('ValidationError, invalidProp and cdk8s validations build messages the same way', () => {
  const e = new ValidationError('EvalDelivery.argoCd', 'appName', 'see EvalDelivery.argoCd()');
  expect(e.message).toBe('[EvalDelivery.argoCd (argo_cd)] appName (app_name): see EvalDelivery.argoCd() (argo_cd())');
  expect(e.prop).toBe('appName');
  expect(e.path).toBe('EvalDelivery.argoCd');
  expect(invalidProp('c/t', 'apiServer.port', 70000, 'an integer from 1 to 65535').message)
    .toBe('[c/t] apiServer.port (api_server.port): got 70000; expected an integer from 1 to 65535');
  expect(validationMessage('maxNodes', 'raise maxNodes')).toBe('maxNodes (max_nodes): raise maxNodes');
});
