import { QueryClient } from "@tanstack/react-query";
import { isApiError, setUnauthorizedHandler } from "./api/client";
import { queryKeys } from "./api/endpoints";

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Client errors (4xx) will not get better by retrying.
        retry: (failureCount, error) =>
          !(isApiError(error) && error.status >= 400 && error.status < 500) && failureCount < 2,
        refetchOnWindowFocus: false,
        staleTime: 15_000,
      },
      mutations: { retry: false },
    },
  });
}

/** Any 401 ends the session; <RequireAuth> then redirects to /login?next=<current path>. */
export function installUnauthorizedHandler(queryClient: QueryClient): () => void {
  setUnauthorizedHandler(() => {
    if (queryClient.getQueryData(queryKeys.me)) queryClient.setQueryData(queryKeys.me, null);
  });
  return () => setUnauthorizedHandler(null);
}
