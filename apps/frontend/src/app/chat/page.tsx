import type { Metadata } from 'next';
import { ChatPanel } from '../../components/ChatPanel';

export const metadata: Metadata = { title: 'Assistant' };

export default function ChatPage() {
  return <ChatPanel />;
}
