import { ParserError } from '../plugin-api/errors.ts';

/**
 * A failure where Fluentd raises something other than its ParserError (a CSV::MalformedCSVError, a TimeParseError
 * straight out of the syslog parser, ...). It is still a ParserError to callers, but filter_parser reports it the
 * way Fluentd does: "parse failed <message>".
 */
export class ForeignParseError extends ParserError {
  constructor(message: string) {
    super(message);
    this.name = 'ForeignParseError';
  }
}
