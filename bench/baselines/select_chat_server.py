#!/usr/bin/env python3
# The chat server of lesson 003 (length-header protocol), in the course's style: one thread,
# select() over every socket. Each frame is a 10-byte header holding the payload length as ASCII
# digits, left-aligned; a client's first frame is its username; every later message goes to all
# the other clients as a username frame followed by the message frame.
# Unlike the lesson, frames are read whole (recv may return less than asked) and sent with sendall.
# usage: select_chat_server.py [PORT]   (0: any free port; prints "listening on 127.0.0.1:PORT")
import resource
import select
import socket
import sys

HEADER_LENGTH = 10

IP = "127.0.0.1"
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 1234

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server_socket.bind((IP, PORT))
server_socket.listen(1024)

sockets_list = [server_socket]
clients = {}

print(f"listening on {IP}:{server_socket.getsockname()[1]}", flush=True)


def receive_exactly(client_socket, length):
    """Reads exactly length bytes, or returns None if the client has gone"""
    data = b""
    while len(data) < length:
        chunk = client_socket.recv(length - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def receive_message(client_socket):
    try:
        message_header = receive_exactly(client_socket, HEADER_LENGTH)
        if message_header is None:
            return False
        message_length = int(message_header.decode("utf-8").strip())
        data = receive_exactly(client_socket, message_length)
        if data is None:
            return False
        return {"header": message_header, "data": data}
    except (OSError, ValueError):
        return False


def remove(client_socket):
    if client_socket in sockets_list:
        sockets_list.remove(client_socket)
    clients.pop(client_socket, None)
    client_socket.close()


while True:
    read_sockets, _, exception_sockets = select.select(sockets_list, [], sockets_list)

    for notified_socket in read_sockets:
        if notified_socket == server_socket:
            client_socket, client_address = server_socket.accept()
            client_socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            user = receive_message(client_socket)
            if user is False:
                client_socket.close()
                continue
            sockets_list.append(client_socket)
            clients[client_socket] = user
        elif notified_socket in clients:
            message = receive_message(notified_socket)
            if message is False:
                remove(notified_socket)
                continue
            user = clients[notified_socket]
            frame = user["header"] + user["data"] + message["header"] + message["data"]
            for client_socket in list(clients):
                if client_socket != notified_socket:
                    try:
                        client_socket.sendall(frame)
                    except OSError:
                        remove(client_socket)

    for notified_socket in exception_sockets:
        remove(notified_socket)
