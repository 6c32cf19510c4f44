# Lesson 002's sequential TCP echo server, as the lesson writes it. The only additions: HOST and
# PORT may be given as arguments (else the port is asked, as in the lesson), and the real address
# is printed as "listening on ADDR:PORT" so a test knows when and where to connect.
# Usage: python3 echo_server.py [HOST PORT]
import socket
import sys

if len(sys.argv) > 2:
    host, porta = sys.argv[1], int(sys.argv[2])
else:
    host = socket.gethostname()
    porta = int(input("Inserire porta server (> 1024):\n"))
ss = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
# faccio il bind della socket su hostname e porta
ss.bind((host, porta))
# specifico la dimensione della coda
ss.listen(5)
print("listening on {}:{}".format(*ss.getsockname()), flush=True)

while True:
    (client, address) = ss.accept()
    print("Client connected from: {}".format(address), flush=True)
    echo_txt = client.recv(1024)
    print("C: {}".format(str(echo_txt)), flush=True)
    client.send(echo_txt)
    client.close()
