#!/usr/bin/env python3
"""A browser's part over TLS, with the standard library only: fetch the page over HTTPS, upgrade
/ws with the page's own https:// origin (verifying the server against CA), join as NAME, say TEXT
and print each server event's JSON on its own line until the message comes back.

usage: wss_chat_client.py CA HOST PORT NAME TEXT
"""
import base64
import json
import os
import socket
import ssl
import struct
import sys

ca, host, port, name, text = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
context = ssl.create_default_context(cafile=ca)


def connect():
    return context.wrap_socket(socket.create_connection((host, port), timeout=10), server_hostname=host)


def read_head(s):
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        byte = s.recv(1)
        if not byte:
            raise SystemExit("closed during the HTTP answer")
        head += byte
    return head.decode("latin-1")


# The page itself, over HTTPS.
page = connect()
page.sendall(f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
print(read_head(page).split("\r\n")[0], flush=True)
page.close()

ws = connect()
key = base64.b64encode(os.urandom(16)).decode()
ws.sendall((f"GET /ws HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Origin: https://{host}:{port}\r\n\r\n").encode())
print(read_head(ws).split("\r\n")[0], flush=True)


def send(obj):
    payload = json.dumps(obj).encode()
    mask = os.urandom(4)
    assert len(payload) < 126
    ws.sendall(bytes([0x81, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


def recv_exact(n):
    data = b""
    while len(data) < n:
        chunk = ws.recv(n - len(data))
        if not chunk:
            raise SystemExit("closed")
        data += chunk
    return data


def receive():
    b0, b1 = recv_exact(2)
    length = b1 & 0x7F
    if length == 126:
        length = struct.unpack("!H", recv_exact(2))[0]
    elif length == 127:
        length = struct.unpack("!Q", recv_exact(8))[0]
    return b0 & 0x0F, recv_exact(length)


send({"type": "join", "name": name})
while True:
    opcode, payload = receive()
    if opcode != 1:
        continue
    event = json.loads(payload)
    print(json.dumps(event, sort_keys=True), flush=True)
    if event["type"] == "welcome":
        send({"type": "say", "text": text})
    if event["type"] == "message" and event["from"] == name:
        break
