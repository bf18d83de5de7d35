"""A page served from an origin of its own, for the CORS tests."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FrontEndServer:
    """Another origin (a port of its own) serving one empty page, as a front end would."""

    PAGE = b"<!doctype html><html><head><title>Front end</title></head><body></body></html>"

    def __init__(self):
        page = self.PAGE

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
