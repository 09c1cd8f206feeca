"""The fleet of bench/fleet.ts, written in Python against the built wheel (cdk8s_ai).

Line for line the same constructs, ids, props and order as bench/fleet.ts, so the YAML must be byte-identical to
the TypeScript `ours` variant (bench/run.ts checks its sha256). Change both files together.
"""
from cdk8s import App, Chart

from cdk8s_ai import (
    AiTenant, GpuModel, GpuNodePool, GpuRequest, InferenceRouteOptions, InferenceService, InferenceServiceDeclaration,
    InferenceServiceProps, ModelServer, ModelSource, PlatformObservability, TenantApiServer, TenantGpuQuota,
    TenantModelDownloads, WorkloadMonitoring,
)

# Services per tenant: a fleet of N services has N / 10 tenants.
SERVICES_PER_TENANT = 10
# Services per GPU node pool (each pool: 64 nodes x 8 H100 = 512 GPUs, 50 tenants x 10 guaranteed GPUs).
SERVICES_PER_POOL = 500
GPUS_PER_NODE = 8
NODES_PER_POOL = 64

MODELS = [
    "meta-llama/Llama-3.1-8B-Instruct",
    "Qwen/Qwen3-8B",
    "mistralai/Mistral-7B-Instruct-v0.3",
    "google/gemma-3-12b-it",
    "ibm-granite/granite-3.3-8b-instruct",
]


def build_fleet(app: App, n: int, props_per_service: bool = False) -> Chart:
    chart = Chart(app, "fleet", disable_resource_name_hashes=True)
    PlatformObservability(chart, "observability")
    pools = []
    p = 0
    while p * SERVICES_PER_POOL < n:
        pools.append(GpuNodePool(chart, f"h100-{p}", gpu=GpuModel.NVIDIA_H100_80_GB, gpus_per_node=GPUS_PER_NODE,
                                 max_nodes=NODES_PER_POOL))
        p += 1
    # Value objects are immutable: built once and shared by every service (each call crosses into the jsii runtime).
    models = [ModelSource.hugging_face(m, token_secret="hf-token") for m in MODELS]
    server = ModelServer.vllm()
    gpus = GpuRequest.of(1, model=GpuModel.NVIDIA_H100_80_GB)
    route = InferenceRouteOptions(gateway="gateways/inference-gateway")
    # Props are values too: the services of one model on one pool share one props object, built once (each struct
    # built is type-checked field by field in Python before it crosses). `props_per_service` builds a fresh props
    # object for every service instead, as the fleet did until then: the same objects and bytes.
    shared = {}
    # One AiTenant, one InferenceService.declare_many and one WorkloadMonitoring.for_services per tenant: the same
    # objects as InferenceService(...) and WorkloadMonitoring.for_service per service, in two calls per tenant (each
    # call crosses into the jsii runtime once).
    t = 0
    while t * SERVICES_PER_TENANT < n:
        first = t * SERVICES_PER_TENANT
        pool = pools[first // SERVICES_PER_POOL]
        tenant = AiTenant(
            chart, f"team-{t}",
            team=f"team-{t}",
            owner=f"oncall-{t}",
            cost_center=f"cc-{1000 + (t % 37)}",
            groups=[f"team-{t}-engineers"],
            gpu_quota=[TenantGpuQuota(pool=pool, gpus=SERVICES_PER_TENANT, borrowing_limit=SERVICES_PER_TENANT)],
            api_server=TenantApiServer(cidrs=["10.0.0.1/32"], port=443),
            model_downloads=TenantModelDownloads(
                cidrs=["0.0.0.0/0"], excluded_cidrs=["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
            ),
        )
        declarations = []
        for i in range(first, min(n, first + SERVICES_PER_TENANT)):
            model = i % len(MODELS)
            pool_index = i // SERVICES_PER_POOL
            key = f"{model}/{pool_index}"
            props = None if props_per_service else shared.get(key)
            if props is None:
                props = InferenceServiceProps(
                    model=models[model], server=server, gpus=gpus, node_pool=pools[pool_index], route=route)
                if not props_per_service:
                    shared[key] = props
            declarations.append(InferenceServiceDeclaration(id=f"model-{i}", props=props))
        services = InferenceService.declare_many(tenant, declarations)
        WorkloadMonitoring.for_services(services)  # their pods, names and vLLM's metric names (ServingMetrics.vllm())
        t += 1
    return chart
