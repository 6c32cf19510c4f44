# A console client for the lesson 003 header chat, written the way the lesson writes Python:
# a 10-byte header with the length (f"{n:<10}"), then the bytes; the first message is the username.
# Usage: python3 lesson003_client.py HOST PORT USERNAME
# Lines typed on standard input are sent; messages from the others print as "username > message".
# It ends when standard input ends or the server closes the connection.
import select
import socket
import sys

HEADER_LENGTH = 10

IP = sys.argv[1]
PORT = int(sys.argv[2])
my_username = sys.argv[3]

client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client_socket.connect((IP, PORT))

username = my_username.encode('utf-8')
username_header = f"{len(username):<{HEADER_LENGTH}}".encode('utf-8')
client_socket.send(username_header + username)


def receive_exactly(n):
    data = b''
    while len(data) < n:
        chunk = client_socket.recv(n - len(data))
        if not len(chunk):
            return False
        data += chunk
    return data


def receive_message():
    header = receive_exactly(HEADER_LENGTH)
    if header is False:
        return False
    length = int(header.decode('utf-8').strip())
    data = receive_exactly(length) if length else b''
    if data is False:
        return False
    return data.decode('utf-8')


while True:
    read_sockets, _, _ = select.select([client_socket, sys.stdin], [], [])
    if client_socket in read_sockets:
        username = receive_message()
        message = receive_message() if username is not False else False
        if message is False:
            print('Connection closed by the server')
            sys.exit(0)
        print(f'{username} > {message}', flush=True)
    if sys.stdin in read_sockets:
        line = sys.stdin.readline()
        if not line:
            client_socket.close()
            sys.exit(0)
        message = line.rstrip('\n').encode('utf-8')
        if message:
            message_header = f"{len(message):<{HEADER_LENGTH}}".encode('utf-8')
            client_socket.send(message_header + message)
