# Lesson 001's UDP server as the lesson writes it: "OK" for a message of even length, "Err" for
# odd. Changes: the address comes from the arguments (the lesson has its own IP in the code), and
# a "listening on" line tells a test where it is.
# Usage: python3 parity_server.py [HOST [PORT]]   (default 127.0.0.1 20000)
import socket
import sys
import time
localIP = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
localPort = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
# UDP Socket Object
udp_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# Bind to address and ip
udp_socket.bind( (localIP, localPort) )
print("UDP server up and listening")
print("listening on {}:{}".format(*udp_socket.getsockname()), flush=True)
# Listen for incoming datagrams
while True:
    message,address = udp_socket.recvfrom(1024)
    time.sleep(0.1)
    print("Message from Client:", message.decode() )
    print("Client IP Address:", address, flush=True)
    msgFromServer = "OK"
    if len(message) % 2 == 1:
        msgFromServer = "Err"
    bytesToSend = str.encode(msgFromServer)
    # Sending a reply to client
    udp_socket.sendto(bytesToSend, address)
