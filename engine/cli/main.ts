// Entry point: one commander program, one file per command under engine/cli/.
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands.js';

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('relayguard')
    .description('In-line SMTP data-loss-prevention gateway')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError();
  registerCommands(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; usage errors exit 2 as the contract says.
      return err.exitCode === 0 ? 0 : 2;
    }
    throw err;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}
