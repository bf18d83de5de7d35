"""The accounts API in the OpenAPI schema: the Bearer scheme, and how token pairs chain.

Imported by AccountsConfig.ready(), which registers the drf-spectacular
extension; `add_token_links` is a postprocessing hook (SPECTACULAR_SETTINGS).
"""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme

# The token pairs the public auth endpoints answer with, and where the next
# request of a client holding one goes.
TOKEN_PAIR_SOURCES = [
    ("/api/auth/register/", "post", "201"),
    ("/api/auth/login/", "post", "200"),
    ("/api/auth/refresh/", "post", "200"),
]
REFRESH_TOKEN_TARGETS = [("/api/auth/refresh/", "post"), ("/api/auth/logout/", "post")]


class BearerTokenScheme(SimpleJWTScheme):
    """Documents the project's strict Bearer authentication as simplejwt's scheme."""

    target_class = "accounts.authentication.BearerTokenAuthentication"


def add_token_links(result, generator, request, public):
    """OpenAPI links: a registration leads to logging in with the same
    credentials, and every token pair to refreshing and logging out with its
    refresh token.
    """
    paths = result["paths"]
    login = paths["/api/auth/login/"]["post"]["operationId"]
    paths["/api/auth/register/"]["post"]["responses"]["201"]["links"] = {
        login: {
            "operationId": login,
            "requestBody": {"email": "$request.body#/email", "password": "$request.body#/password"},
        }
    }
    for path, method, status in TOKEN_PAIR_SOURCES:
        links = paths[path][method]["responses"][status].setdefault("links", {})
        for target_path, target_method in REFRESH_TOKEN_TARGETS:
            target = paths[target_path][target_method]["operationId"]
            links[target] = {
                "operationId": target,
                "requestBody": {"refresh": "$response.body#/refresh"},
            }
    return result
