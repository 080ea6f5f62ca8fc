// The token list: one row per token, the selected one marked, env overrides called out.
import {Box, Text} from 'ink';
import {useTheme} from '../hooks/use-theme.js';
import type {TokenListEntry} from '../models/token.js';

export function TokenTable({
  tokens,
  selected,
}: {
  tokens: readonly TokenListEntry[];
  selected: number;
}) {
  const theme = useTheme();
  if (tokens.length === 0) {
    return <Text dimColor>No tokens yet. Press a to add one.</Text>;
  }
  return (
    <Box flexDirection="column">
      {tokens.map((token, index) => {
        const current = index === selected;
        const scopes = token.fineGrained ? 'fine-grained' : token.scopes.join(',') || '-';
        const storage = token.envVar
          ? `env ${token.envVar}${token.storedIn ? ` (overrides ${token.storedIn})` : ''}`
          : token.storage;
        const verified = token.lastVerifiedAt
          ? token.lastVerifiedAt.slice(0, 16).replace('T', ' ')
          : 'never';
        return (
          <Box key={token.name} flexDirection="column" marginBottom={current ? 0 : 0}>
            <Text inverse={current} wrap="truncate-end">
              {current ? '› ' : '  '}
              <Text bold>{token.name}</Text> {token.provider} {token.apiUrl}{' '}
              <Text color={theme.tint('accent')}>{token.masked ?? '?'}</Text>
            </Text>
            <Text dimColor wrap="truncate-end">
              {'    '}login {token.login ?? '-'} · scopes {scopes} · storage {storage} · verified{' '}
              {verified}
              {token.expiresAt ? ` · expires ${token.expiresAt.slice(0, 10)}` : ''}
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}
