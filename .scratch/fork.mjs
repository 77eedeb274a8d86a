import { fork } from 'node:child_process';
const c = fork(process.argv[2], [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: 'inherit' });
c.on('exit', (code, sig) => console.log('exit', code, sig));
