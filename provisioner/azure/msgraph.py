"""Microsoft Graph from worker threads: the async msgraph client on its own event loop thread.

msgraph-sdk is async only. One background loop owns the GraphServiceClient and its httpx client;
`run(lambda msgraph: msgraph.groups.post(body))` submits a call from any other thread and waits for it.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
from azure.core.credentials import TokenCredential
from kiota_http.middleware.options import RetryHandlerOption
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_request_adapter import options as graph_options
from msgraph.graph_service_client import GraphServiceClient
from msgraph_core import GraphClientFactory  # type: ignore[import-untyped]
from msgraph_core.authentication import AzureIdentityAuthenticationProvider  # type: ignore[import-untyped]

from provisioner.azure.paced import GraphPacingTransport
from provisioner.azure.profiles import CloudProfile
from provisioner.execution.pacing import Pacer

T = TypeVar("T")

REQUEST_TIMEOUT_SECONDS = 100.0
CONNECT_TIMEOUT_SECONDS = 30.0
CLOSE_TIMEOUT_SECONDS = 30.0


class MsGraphRunner:
    """A GraphServiceClient pointed at `{msgraph endpoint}/v1.0`, served by a dedicated event loop."""

    def __init__(
        self,
        profile: CloudProfile,
        credential: TokenCredential,
        ca_bundle: Path | None,
        max_retries: int,
        pacer: Pacer,
        tenant_id: str,
    ) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="msgraph-event-loop", daemon=True)
        self._thread.start()
        verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=str(ca_bundle)) if ca_bundle else True
        # kiota puts its middleware (retries included) above this transport: every attempt is paced.
        transport = GraphPacingTransport(httpx.AsyncHTTPTransport(verify=verify), pacer, tenant_id)
        self._http = httpx.AsyncClient(
            transport=transport, timeout=httpx.Timeout(REQUEST_TIMEOUT_SECONDS, connect=CONNECT_TIMEOUT_SECONDS)
        )
        authentication = AzureIdentityAuthenticationProvider(
            credential, scopes=[profile.graph_scope], allowed_hosts=[profile.graph_host]
        )
        # kiota's retry handler retries 429, 503 and 504, honouring Retry-After (at most 10 times).
        retry = RetryHandlerOption(max_retries=min(max_retries, RetryHandlerOption.MAX_MAX_RETRIES))
        options = {**graph_options, RetryHandlerOption.get_key(): retry}
        http_client = GraphClientFactory.create_with_default_middleware(client=self._http, options=options)
        adapter = GraphRequestAdapter(authentication, client=http_client)
        adapter.base_url = f"{profile.msgraph_endpoint.rstrip('/')}/v1.0"
        self.client: Any = GraphServiceClient(request_adapter=adapter)

    def run(self, call: Callable[[Any], Awaitable[T]]) -> T:
        """Run `call(client)` on the loop and wait for its result (from any thread but the loop's)."""
        if threading.current_thread() is self._thread:
            raise RuntimeError("run() called from the Graph event loop itself")

        async def invoke() -> T:
            return await call(self.client)

        return asyncio.run_coroutine_threadsafe(invoke(), self._loop).result()

    def close(self) -> None:
        if self._loop.is_closed():
            return
        asyncio.run_coroutine_threadsafe(self._http.aclose(), self._loop).result(CLOSE_TIMEOUT_SECONDS)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(CLOSE_TIMEOUT_SECONDS)
        self._loop.close()
