import { passwordWeakness } from '../../src/domain/password-policy';

describe('password policy', () => {
  const email = 'jane.doe@example.com';

  it.each([
    ['11 characters', 'abcdefghij1', 'TOO_SHORT'],
    ['11 emoji (22 UTF-16 units, still 11 characters)', '🔑'.repeat(11), 'TOO_SHORT'],
    ['the email itself', 'Jane.Doe@Example.com', 'CONTAINS_EMAIL'],
    ['the local part inside it', 'my-JANE.DOE-rocks', 'CONTAINS_EMAIL'],
    ['a listed password', '123456789012', 'COMMON_PASSWORD'],
    ['a listed stem with digits and symbols appended', 'Sunshine2024!!', 'COMMON_PASSWORD'],
  ])('when the password is %s, then it is weak (%s)', (_case, password, reason) => {
    expect(passwordWeakness(password, email)?.reason).toBe(reason);
  });

  it.each([
    ['a long passphrase', 'violet-kettle-orbit-42'],
    ['12 unusual characters', 'x7#Lq9!vTz2m'],
    ['a common word followed by more words', 'sunshine over the bay'],
  ])('when the password is %s, then it is accepted', (_case, password) => {
    expect(passwordWeakness(password, email)).toBeUndefined();
  });

  it('when the local part is very short, then only the whole address counts as containing the email', () => {
    expect(passwordWeakness('jo-loves-long-walks', 'jo@example.com')).toBeUndefined();
    expect(passwordWeakness('jo@example.com', 'jo@example.com')?.reason).toBe('CONTAINS_EMAIL');
  });
});
