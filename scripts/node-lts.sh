# Sourced by .ci/run (and usable by hand: `source scripts/node-lts.sh`): puts the Node LTS that
# NetPay supports first on PATH. When the machine's own node is older, the LTS comes from the npm
# registry as the `node` package (a registry package that ships the binary) into .stack/node-lts.
NETPAY_NODE_LTS=24.21.0
netpay_node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$netpay_node_major" -lt 24 ]; then
  netpay_node_dir="$PWD/.stack/node-lts"
  if [ "$("$netpay_node_dir/node_modules/node/bin/node" --version 2>/dev/null)" != "v$NETPAY_NODE_LTS" ]; then
    echo "== node $(node --version 2>/dev/null || echo none) is out of support: installing node@$NETPAY_NODE_LTS into .stack/node-lts"
    mkdir -p "$netpay_node_dir"
    npm install --prefix "$netpay_node_dir" --no-audit --no-fund --no-save "node@$NETPAY_NODE_LTS" >/dev/null
  fi
  export PATH="$netpay_node_dir/node_modules/.bin:$PATH"
fi
unset netpay_node_major netpay_node_dir
