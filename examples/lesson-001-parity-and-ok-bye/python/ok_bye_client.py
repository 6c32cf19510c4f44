# Lesson 001's TCP client as the lesson writes it; the server's address comes from the arguments.
# Usage: python3 ok_bye_client.py [HOST [PORT]]   (default 127.0.0.1 65432)
import socket
import sys
HOST = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 65432
tcp_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp_socket.connect( (HOST, PORT) )
while True:
    message = input("Message to send: ")
    tcp_socket.sendall( message.encode() )
    data = tcp_socket.recv(1024)
    message = data.decode()
    print(f"Received: {data.decode()}")
    if message == "bye":
        tcp_socket.close()
        break
