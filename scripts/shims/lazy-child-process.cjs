// commander requires child_process at load time for executable subcommands, which berth never
// uses; loading it (and net, dgram, streams) costs every command several milliseconds. This
// shim loads the real module on first property access instead.
let real;
module.exports = new Proxy(
  {},
  {
    get(_target, key) {
      real ??= require('node:child_process');
      return real[key];
    },
  },
);
