#!/usr/bin/env python3
# Echo server in the style of the course (lesson 002): one thread, select() over the listening
# socket and the clients, everything received is sent back.
# usage: select_echo_server.py [PORT]   (0: any free port; prints "listening on 127.0.0.1:PORT")
import resource
import select
import socket
import sys

IP = "127.0.0.1"
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 7007

# Many idle connections are part of the benchmark: raise the open-file limit to the hard limit.
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server_socket.bind((IP, PORT))
server_socket.listen(1024)

sockets_list = [server_socket]

print(f"listening on {IP}:{server_socket.getsockname()[1]}", flush=True)

while True:
    read_sockets, _, exception_sockets = select.select(sockets_list, [], sockets_list)

    for notified_socket in read_sockets:
        if notified_socket == server_socket:
            client_socket, client_address = server_socket.accept()
            client_socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sockets_list.append(client_socket)
        else:
            try:
                data = notified_socket.recv(1024)
            except OSError:
                data = b""
            if not data:
                # The client closed the connection
                sockets_list.remove(notified_socket)
                notified_socket.close()
                continue
            try:
                notified_socket.sendall(data)
            except OSError:
                sockets_list.remove(notified_socket)
                notified_socket.close()

    for notified_socket in exception_sockets:
        if notified_socket in sockets_list:
            sockets_list.remove(notified_socket)
        notified_socket.close()
