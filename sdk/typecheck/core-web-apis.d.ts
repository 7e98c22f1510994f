/**
 * Only for `tsc -p sdk` (ECMAScript typings, no DOM, no Node): the SDK takes
 * types from core/, whose code may use the few Web APIs every runtime it
 * serves has (Node, Bun, Deno, browsers). They are declared here, as far as
 * core uses them, so that the check can still fail on any DOM or Node API in
 * the SDK's own files. The SDK bundles no core code (a layer rule).
 */
declare class URL {
  constructor(url: string, base?: string);
  readonly protocol: string;
  readonly hostname: string;
  readonly host: string;
  readonly port: string;
  readonly username: string;
  readonly password: string;
  readonly pathname: string;
  readonly href: string;
}
