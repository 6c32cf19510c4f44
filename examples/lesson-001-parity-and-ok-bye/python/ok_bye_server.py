# Lesson 001's TCP server as the lesson writes it: "OK" to every message, "bye" to "close", then
# it closes and ends. Changes: the address comes from the arguments, and a "listening on" line
# tells a test where it is.
# Usage: python3 ok_bye_server.py [HOST [PORT]]   (default 127.0.0.1 65432)
import socket
import sys
HOST = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 65432
tcp_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp_socket.bind( (HOST, PORT) )
tcp_socket.listen()
print("listening on {}:{}".format(*tcp_socket.getsockname()), flush=True)
print(f"listening on socket ({HOST}:{PORT})...")
conn, addr = tcp_socket.accept()
if conn:
    print(f"Connected by {addr}")
    while True:
        data = conn.recv(1024)
        message = data.decode()
        print("Received:", message, flush=True)
        if message == "close":
            conn.sendall( "bye".encode() )
            break
        conn.sendall( "OK".encode() )
conn.close()
