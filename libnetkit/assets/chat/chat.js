// Placeholder script: shows that the page's own script runs (the CSP allows only 'self').
"use strict";
document.getElementById("status").textContent = "netkit chat: script loaded";
