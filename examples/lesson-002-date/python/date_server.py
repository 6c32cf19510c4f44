# Lesson 002's exercise "Date Server", written the lesson's way: a UDP socket, recvfrom() in an
# endless loop; a datagram holding "date" makes the server run the `date` command and send its
# output back to the sender. Anything else gets no answer.
# Usage: python3 date_server.py [HOST PORT]   (default 127.0.0.1 50000)
import socket
import subprocess
import sys

host = sys.argv[1] if len(sys.argv) > 2 else "127.0.0.1"
porta = int(sys.argv[2]) if len(sys.argv) > 2 else 50000
udp_ss = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp_ss.bind((host, porta))
print("listening on {}:{}".format(*udp_ss.getsockname()), flush=True)

while True:
    (msg, address) = udp_ss.recvfrom(1024)
    print("Received UDP Datagram from {}: {}".format(address, msg), flush=True)
    if msg.strip() == b"date":
        risposta = subprocess.run(["date"], stdout=subprocess.PIPE)
        udp_ss.sendto(risposta.stdout, address)
