"""Process-wide switches that keep every library offline.

Imported first by each package: nothing may reach for a model hub or send telemetry, because
this machine has no network and a hub lookup would hang or fail half-way through a request.
"""
import os

OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    # OpenMP threads that sleep instead of spinning between calls: on a shared 2-core machine a
    # spinning pool starves the server's other threads (query embedding p50 99 → 47 ms under load).
    "OMP_WAIT_POLICY": "PASSIVE",
}

for _key, _value in OFFLINE_ENVIRONMENT.items():
    os.environ.setdefault(_key, _value)
