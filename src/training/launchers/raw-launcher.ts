import { IConstruct } from 'constructs';
import { LaunchContext, LaunchPlan, LauncherStrategy } from '../gang-plan';

/** `TrainingLauncher.raw()`: the command as given, with no launch conventions. */
export class RawLauncher implements LauncherStrategy {
  public readonly name = 'raw';

  public launch(_scope: IConstruct, context: LaunchContext): LaunchPlan {
    return { command: context.command, args: context.args, env: [], defaultEnv: {}, ports: [], torch: false };
  }
}
