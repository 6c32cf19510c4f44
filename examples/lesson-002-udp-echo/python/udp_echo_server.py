# Lesson 002's UDP echo server as the lesson writes it; HOST and PORT may be given as arguments
# (else the port is asked, as in the lesson), and a "listening on" line tells a test where it is.
# Usage: python3 udp_echo_server.py [HOST PORT]
import socket
import sys

if len(sys.argv) > 2:
    host, porta = sys.argv[1], int(sys.argv[2])
else:
    host = socket.gethostname()
    porta = int(input("Inserire porta UDP (> 1024):\n"))
udp_ss = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# faccio il bind della socket su hostname e porta
udp_ss.bind((host, porta))
print("listening on {}:{}".format(*udp_ss.getsockname()), flush=True)

# listen for UDP datagrams
while True:
    (msg, address) = udp_ss.recvfrom(1024)
    print("Received UDP Datagram from {}".format(address))
    print("C: {}".format(msg.decode()), flush=True)
    udp_ss.sendto(msg, address)  # devo specificare anche l'indirizzo, UDP è connectionless
