# Lesson 003's own chat client (examples/lesson-003-header-chat/python/client.py), unchanged, over
# TLS: its socket.socket() becomes a TLS socket that verifies the server against CAFILE, so the
# lesson's connect(), send() and recv() run through Python's ssl module.
# Usage: python3 lesson003_tls_client.py CAFILE HOST PORT USERNAME
import errno
import os
import runpy
import socket
import ssl
import sys

ca_file = sys.argv.pop(1)
context = ssl.create_default_context(cafile=ca_file)  # certificate and host name checked


class LessonSocket(ssl.SSLSocket):
    # The lesson's non-blocking loop stops reading on EAGAIN; a TLS socket says "want read" instead.
    def recv(self, n, flags=0):
        try:
            return super().recv(n, flags)
        except ssl.SSLWantReadError:
            raise BlockingIOError(errno.EAGAIN, 'no data yet')


context.sslsocket_class = LessonSocket
plain_socket = socket.socket
socket.socket = lambda *args, **kwargs: context.wrap_socket(plain_socket(*args, **kwargs),
                                                             server_hostname=sys.argv[1])

lesson = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'examples',
                      'lesson-003-header-chat', 'python', 'client.py')
runpy.run_path(lesson, run_name='__main__')
