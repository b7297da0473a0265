import { AppError } from '@platform/kit/core';
import { createSagaAdmission } from '../../src/domain/saga-admission';

function refusal(admit: () => void): AppError {
  try {
    admit();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected the order to be refused');
}

describe('saga admission', () => {
  it('when the counted backlog is under the limit, then orders are let in until the limit is reached', () => {
    let shed = 0;
    const admission = createSagaAdmission(3, () => (shed += 1));
    admission.observe(1);

    admission.admit();
    admission.admit();

    expect(admission.backlog).toBe(3);
    expect(refusal(() => admission.admit())).toMatchObject({ status: 503, code: 'ORDER_BACKLOG_FULL' });
    expect(shed).toBe(1);
  });

  it('when an order is refused, then the answer says when to come back', () => {
    const admission = createSagaAdmission(1);
    admission.observe(1);

    expect(refusal(() => admission.admit()).headers).toEqual({ 'retry-after': '2' });
  });

  it('when a fresh count arrives, then it replaces the count and the orders let in since the last one', () => {
    const admission = createSagaAdmission(2);
    admission.observe(0);
    admission.admit();
    admission.admit();

    admission.observe(1);

    expect(admission.backlog).toBe(1);
    expect(() => admission.admit()).not.toThrow();
  });

  it('when the limit is 0, then every order is let in whatever the backlog', () => {
    const admission = createSagaAdmission(0);
    admission.observe(10_000);

    for (let order = 0; order < 10; order += 1) expect(() => admission.admit()).not.toThrow();
  });
});
