"""A small JSON client for the API, over real HTTP with the standard library only."""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from harness.server import LOOPBACK


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    name: str


class ApiError(RuntimeError):
    pass


class ApiClient:
    def __init__(self, base_url: str):
        self.base_url = base_url

    def request(self, method: str, path: str, *, body=None, token: str | None = None):
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            self.base_url + path, data=data, headers=headers, method=method
        )
        try:
            with LOOPBACK.open(request, timeout=10) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            raise ApiError(f"{method} {path} answered {exc.code}: {exc.read().decode()}") from exc
        return json.loads(payload) if payload else None

    def register(self, account: Account) -> str:
        body = {"email": account.email, "password": account.password, "name": account.name}
        return self.request("POST", "/api/auth/register/", body=body)["access"]

    def login(self, account: Account) -> str:
        body = {"email": account.email, "password": account.password}
        return self.request("POST", "/api/auth/login/", body=body)["access"]

    def create_task(self, token: str, **fields) -> dict:
        return self.request("POST", "/api/tasks/", body=fields, token=token)

    def complete_task(self, token: str, task_id: str) -> dict:
        path = f"/api/tasks/{task_id}/complete/"
        return self.request("PATCH", path, body={"completed": True}, token=token)

    def get_task(self, token: str, task_id: str) -> dict:
        return self.request("GET", f"/api/tasks/{task_id}/", token=token)
