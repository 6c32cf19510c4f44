# Lesson 002's TCP echo client, as the lesson writes it; HOST and PORT may be given as arguments
# (else they are asked, as in the lesson). The message is read from standard input.
# Usage: python3 echo_client.py [HOST PORT]
import socket
import sys

if len(sys.argv) > 2:
    indirizzo, porta = sys.argv[1], int(sys.argv[2])
else:
    # lettura di parametri con input
    indirizzo = input("Inserire l'indirizzo IP del server:\n")
    porta = int(input("Inserire la porta del server:\n"))
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect((indirizzo, porta))

msg = input("Inserire un messaggio di echo:\n")
s.send(msg.encode())
# wait for reply
reply = s.recv(1024)
print("S: {}".format(reply.decode()))
s.close()
