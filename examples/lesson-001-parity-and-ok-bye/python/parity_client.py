# Lesson 001's UDP client as the lesson writes it; the server's address comes from the arguments.
# Usage: python3 parity_client.py [HOST [PORT]]   (default 127.0.0.1 20000)
import socket
import sys
import time
Server_IP = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
Server_PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
MESSAGE = input("text to send: ")
print("UDP target IP: ", Server_IP)
print("UDP target port: ", Server_PORT)
print("message: ", MESSAGE)
# UDP Socket Object
udp_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp_socket.sendto(MESSAGE.encode(), (Server_IP, Server_PORT))
time.sleep(0.1)
udp_socket.settimeout(5)  # not in the lesson: a lost datagram must not hang a test
message,address = udp_socket.recvfrom(1024)
print("Reply from Server:", message.decode() )
print("Server IP Address:", address)
