import { Type } from 'typebox';
import { defineProblems } from '@platform/kit';

/** The user service's problem answers: the kit's shape plus the rule a weak password breaks. */
export const problems = defineProblems({
  extensions: {
    reason: Type.Optional(Type.String({ description: 'The rule a weak password breaks (WEAK_PASSWORD)' })),
  },
});
