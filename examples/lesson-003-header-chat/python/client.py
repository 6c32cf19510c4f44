# Lesson 003's chat client, as the lesson's tutorial writes it: the username goes first, every
# message is a 10-byte header (f"{len:<10}") then the bytes, and the socket is non-blocking so
# receiving never waits: read a header, then that many bytes, until recv() says EAGAIN.
# Usage: python3 client.py HOST PORT USERNAME   (type a line to send it; Ctrl-D leaves)
# The tutorial waits in input() and shows new messages only after you press Enter; this one waits
# in select() on the keyboard and the socket, so messages show as they arrive (and a test can read
# them). The socket calls and bytes are the tutorial's.
import errno
import select
import socket
import sys

HEADER_LENGTH = 10

IP = sys.argv[1]
PORT = int(sys.argv[2])
my_username = sys.argv[3]

client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client_socket.connect((IP, PORT))
client_socket.setblocking(False)

username = my_username.encode('utf-8')
username_header = f"{len(username):<{HEADER_LENGTH}}".encode('utf-8')
client_socket.send(username_header + username)

while True:
    ready, _, _ = select.select([sys.stdin, client_socket], [], [])

    if sys.stdin in ready:
        message = sys.stdin.readline()
        if not message:  # Ctrl-D
            client_socket.close()
            sys.exit()
        message = message.rstrip('\n')
        if message:
            message = message.encode('utf-8')
            message_header = f"{len(message):<{HEADER_LENGTH}}".encode('utf-8')
            client_socket.send(message_header + message)

    try:
        while True:
            username_header = client_socket.recv(HEADER_LENGTH)
            if not len(username_header):
                print('Connection closed by the server', flush=True)
                sys.exit()
            username_length = int(username_header.decode('utf-8').strip())
            username = client_socket.recv(username_length).decode('utf-8')
            message_header = client_socket.recv(HEADER_LENGTH)
            message_length = int(message_header.decode('utf-8').strip())
            message = client_socket.recv(message_length).decode('utf-8')
            print(f'{username} > {message}', flush=True)
    except IOError as e:
        if e.errno != errno.EAGAIN and e.errno != errno.EWOULDBLOCK:
            print('Reading error: {}'.format(str(e)), flush=True)
            sys.exit()
        continue
    except Exception as e:
        print('Reading error: {}'.format(str(e)), flush=True)
        sys.exit()
