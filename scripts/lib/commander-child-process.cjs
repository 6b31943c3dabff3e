// Stands in for node:child_process inside commander (lib/command.js) in the bundled build.
// commander spawns only for executable subcommands, which certnode does not declare, yet it
// requires node:child_process (and with it net and dgram) when it loads — on every command's
// start-up. Here the module is loaded on first use instead, so commander behaves the same.

let childProcess;

module.exports = {
  spawn(...args) {
    childProcess ??= require('node:child_process');
    return childProcess.spawn(...args);
  },
};
