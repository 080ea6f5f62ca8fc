#!/usr/bin/env node
// berth's bin. Old-fashioned JavaScript on purpose (var, no arrows, no import): it must parse and
// run on whatever Node the user's PATH finds, so that an old one hears what to do instead of
// crashing inside berth. On Node >= 22 it loads dist/cli.js; on an older one it relaunches berth
// with the Node the package pins (node_modules/node, a dev dependency, present in a checkout),
// or says which Node is needed and exits 1.
'use strict';
var childProcess = require('child_process');
var fs = require('fs');
var path = require('path');

var minimumMajor = 22;
// Node resolves __dirname through symlinks (npm link, global installs): this is the package.
var root = path.resolve(__dirname, '..');
var cli = path.join(root, 'dist', 'cli.js');

function majorOf(version) {
  return parseInt(String(version).replace(/^v/, '').split('.')[0], 10) || 0;
}

/** The package's own pinned Node, when it is installed and new enough. */
function pinnedNode() {
  var places = [path.join(root, 'node_modules', 'node')];
  // Installed as a dependency of another project: its node_modules holds the pinned Node too.
  if (path.basename(path.dirname(root)) === 'node_modules') {
    places.push(path.join(path.dirname(root), 'node'));
  }
  for (var i = 0; i < places.length; i++) {
    try {
      var manifest = JSON.parse(fs.readFileSync(path.join(places[i], 'package.json'), 'utf8'));
      if (majorOf(manifest.version) < minimumMajor) continue;
      var names = process.platform === 'win32' ? ['node.exe', 'node'] : ['node'];
      for (var j = 0; j < names.length; j++) {
        var binary = path.join(places[i], 'bin', names[j]);
        if (fs.existsSync(binary)) return binary;
      }
    } catch (error) {
      // Not there: try the next place.
    }
  }
  return undefined;
}

/** Runs berth under `node` with this process's terminal, signals and exit status. */
function relaunch(node) {
  var child = childProcess.spawn(node, [cli].concat(process.argv.slice(2)), {stdio: 'inherit'});
  // Ctrl+C reaches the whole process group: the child handles it. Others are passed on.
  var forwarded = ['SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
  var handlers = {};
  process.on('SIGINT', function () {});
  forwarded.forEach(function (signal) {
    handlers[signal] = function () {
      child.kill(signal);
    };
    process.on(signal, handlers[signal]);
  });
  child.on('error', function (error) {
    process.stderr.write('berth could not start ' + node + ': ' + error.message + '\n');
    process.exit(1);
  });
  child.on('exit', function (code, signal) {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code === null ? 1 : code);
  });
}

if (!fs.existsSync(cli)) {
  // A checkout that was installed but not built (`npx berth`, `npm link` before `npm start`).
  process.stderr.write(
    'berth is not built yet: ' +
      cli +
      ' is missing.\nRun `npm run build` in ' +
      root +
      ' (`npm start` builds it too), then run berth again.\n',
  );
  process.exit(1);
}

if (majorOf(process.versions.node) >= minimumMajor) {
  // `import()` inside a Function, so that Nodes which predate it can still parse this file.
  var url = require('url').pathToFileURL(cli).href;
  new Function('url', 'return import(url)')(url).catch(function (error) {
    process.stderr.write('berth could not load ' + cli + ': ' + (error && error.message) + '\n');
    process.exit(1);
  });
} else {
  var node = pinnedNode();
  if (node) {
    relaunch(node);
  } else {
    process.stderr.write(
      'berth needs Node.js ' +
        minimumMajor +
        ' or newer (found ' +
        process.version +
        ').\n' +
        'Install Node.js ' +
        minimumMajor +
        " or newer (for example `nvm install 24`, or your system's nodejs package) and run berth again.\n" +
        'In a berth checkout, `npm install` also brings the Node it pins, and `npx berth` uses it.\n',
    );
    process.exit(1);
  }
}
