/** Ruby's String#chomp: drops one trailing \n, \r\n or \r. */
export function chomp(text: string): string {
  if (text.endsWith('\n')) return text.slice(0, text.endsWith('\r\n') ? -2 : -1);
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
