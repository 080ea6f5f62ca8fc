// What the provider said about a token: login, scopes, expiry, missing scopes and notes.
import {Box, Text} from 'ink';
import {useTheme} from '../hooks/use-theme.js';
import type {Verification} from '../models/token.js';

export function TokenVerification({verification}: {verification: Verification}) {
  const theme = useTheme();
  return (
    <Box flexDirection="column">
      <Text color={theme.tint('success')}>
        ✓ Verified with {verification.host}
        {verification.login ? `: logged in as ${verification.login}` : ''}
      </Text>
      {verification.provider !== 'registry' && (
        <Text>
          {' '}
          Scopes:{' '}
          {verification.fineGrained
            ? '(fine-grained token)'
            : verification.scopes.join(', ') || '(none)'}
        </Text>
      )}
      {verification.expiresAt && <Text> Expires: {verification.expiresAt.slice(0, 10)}</Text>}
      {verification.missingScopes.length > 0 && (
        <Text color={theme.tint('warning')}>
          {' '}
          Missing scopes to read repository contents: {verification.missingScopes.join(', ')}
        </Text>
      )}
      {verification.notes.map((note) => (
        <Text key={note} color={theme.tint('warning')}>
          {'  '}
          {note}
        </Text>
      ))}
    </Box>
  );
}
