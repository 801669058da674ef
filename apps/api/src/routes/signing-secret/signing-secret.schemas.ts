import Type from 'typebox';
import { DateTime } from '../common.schemas.js';

export const SigningSecretResponse = Type.Object(
  {
    secret: Type.String({
      description: 'Current secret, `whsec_` + base64: verify callbacks with it (Standard Webhooks).',
    }),
    previous_secret: Type.Optional(
      Type.String({ description: 'During a rotation: the old secret, which still signs until previous_expires_at.' }),
    ),
    previous_expires_at: Type.Optional(DateTime),
  },
  { title: 'SigningSecret' },
);
